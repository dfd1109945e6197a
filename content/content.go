// Package content embeds the built-in content of ecitizen: the e-citizen skills
// framework (skills.yaml), the built-in course catalogue (courses/*.yaml) and the
// consent text residents are told before they are recorded (consent.yaml).
package content

import "embed"

// FS holds skills.yaml, courses/*.yaml and consent.yaml.
//
//go:embed skills.yaml courses/*.yaml consent.yaml
var FS embed.FS
