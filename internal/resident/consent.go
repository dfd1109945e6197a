package resident

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"ecitizen/internal/vntime"

	"go.yaml.in/yaml/v3"
)

// ConsentText is a consent text in Vietnamese and English.
type ConsentText struct {
	Vi string `yaml:"vi"`
	En string `yaml:"en"`
}

// ConsentVersion is one published version of the consent text.
type ConsentVersion struct {
	ID        string      `yaml:"id"`
	Effective Date        `yaml:"effective"`
	Text      ConsentText `yaml:"text"`
}

// Date is a calendar day (YYYY-MM-DD) in Asia/Ho_Chi_Minh.
type Date struct{ time.Time }

var hanoi = vntime.Zone

// UnmarshalYAML reads a YYYY-MM-DD date.
func (d *Date) UnmarshalYAML(n *yaml.Node) error {
	t, err := time.ParseInLocation(time.DateOnly, n.Value, hanoi)
	if err != nil {
		return fmt.Errorf("consent: effective date %q: want YYYY-MM-DD", n.Value)
	}
	d.Time = t
	return nil
}

// Consents are the versions of the consent text, oldest first.
type Consents struct {
	Versions []ConsentVersion `yaml:"versions"`
}

// ErrConsentFile is the error of an invalid consent file.
var ErrConsentFile = errors.New("consent: invalid consent file")

// LoadConsents reads and checks the consent file name of fsys: at least one
// version, each with a unique id, an effective date and both texts.
func LoadConsents(fsys fs.FS, name string) (*Consents, error) {
	raw, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("consent: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var c Consents
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("consent: %s: %w", name, err)
	}
	if len(c.Versions) == 0 {
		return nil, fmt.Errorf("%w: no version", ErrConsentFile)
	}
	seen := map[string]bool{}
	for _, v := range c.Versions {
		switch {
		case strings.TrimSpace(v.ID) == "" || len(v.ID) > 40 || seen[v.ID]:
			return nil, fmt.Errorf("%w: missing, long or repeated id %q", ErrConsentFile, v.ID)
		case v.Effective.IsZero():
			return nil, fmt.Errorf("%w: version %s has no effective date", ErrConsentFile, v.ID)
		case strings.TrimSpace(v.Text.Vi) == "" || strings.TrimSpace(v.Text.En) == "":
			return nil, fmt.Errorf("%w: version %s needs both vi and en texts", ErrConsentFile, v.ID)
		}
		seen[v.ID] = true
	}
	slices.SortStableFunc(c.Versions, func(a, b ConsentVersion) int { return a.Effective.Compare(b.Effective.Time) })
	return &c, nil
}

// Current returns the version in force at time at: the latest whose effective
// date has come (the earliest one when none has yet).
func (c *Consents) Current(at time.Time) *ConsentVersion {
	cur := &c.Versions[0]
	for i := range c.Versions {
		if !c.Versions[i].Effective.After(at) {
			cur = &c.Versions[i]
		}
	}
	return cur
}

// Known reports whether id is a published version.
func (c *Consents) Known(id string) bool {
	for _, v := range c.Versions {
		if v.ID == id {
			return true
		}
	}
	return false
}
