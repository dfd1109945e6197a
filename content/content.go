// Package content embeds the built-in content of ecitizen: the e-citizen skills
// framework (skills.yaml) and the built-in course catalogue (courses/*.yaml).
package content

import "embed"

// FS holds skills.yaml and courses/*.yaml.
//
//go:embed skills.yaml courses/*.yaml
var FS embed.FS
