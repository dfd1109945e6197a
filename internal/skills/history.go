package skills

import (
	"fmt"
	"slices"
	"time"
)

// Definition is one version of the definition of e-citizen: the skills it
// requires, from the day it takes effect.
type Definition struct {
	Version   int      `json:"version" yaml:"version"`
	Effective string   `json:"effective" yaml:"effective"` // local date YYYY-MM-DD
	Required  []string `json:"required" yaml:"required"`   // skill codes
}

// validateHistory checks that History numbers the versions 1..Version in order
// with non-decreasing effective days, that every code is a skill of the file
// (listed once), and that the newest entry requires exactly what the skills
// marked required are: a changed definition without a new version, or a new
// version without its history entry, is refused.
func (f *Framework) validateHistory() error {
	if len(f.History) != f.Version {
		return fmt.Errorf("%w: %d entries for version %d (one per version, 1 to %d)", ErrHistory, len(f.History), f.Version, f.Version)
	}
	prev := ""
	for i, d := range f.History {
		at := fmt.Sprintf("history[%d]", i)
		if d.Version != i+1 {
			return fmt.Errorf("%w: %s: version %d, want %d", ErrHistory, at, d.Version, i+1)
		}
		if _, err := time.Parse(time.DateOnly, d.Effective); err != nil || d.Effective < prev {
			return fmt.Errorf("%w: %s: effective %q is not a date YYYY-MM-DD on or after the previous one", ErrHistory, at, d.Effective)
		}
		prev = d.Effective
		if len(d.Required) == 0 {
			return fmt.Errorf("%w: %s: no required skill", ErrHistory, at)
		}
		for j, c := range d.Required {
			if !f.Known(c) || slices.Index(d.Required, c) != j {
				return fmt.Errorf("%w: %s: %q is not a skill of the file or is repeated (a skill once required stays, made optional)", ErrHistory, at, c)
			}
		}
	}
	newest := slices.Clone(f.History[len(f.History)-1].Required)
	active := f.Required()
	slices.Sort(newest)
	slices.Sort(active)
	if !slices.Equal(newest, active) {
		return fmt.Errorf("%w: version %d requires %v in history but the skills marked required are %v: bump version and append to history", ErrHistory, f.Version, newest, active)
	}
	return nil
}

// RequiredIn returns the codes of the skills version required (in the order
// history lists them); ok is false for a version that does not exist.
func (f *Framework) RequiredIn(version int) (codes []string, ok bool) {
	d, ok := f.Definition(version)
	if !ok {
		return nil, false
	}
	return slices.Clone(d.Required), true
}

// Definition returns the history entry of version.
func (f *Framework) Definition(version int) (Definition, bool) {
	if version < 1 || version > len(f.History) {
		return Definition{}, false
	}
	return f.History[version-1], true
}

// Active returns the active definition (the newest history entry).
func (f *Framework) Active() Definition {
	if len(f.History) == 0 { // a framework that was never validated
		return Definition{Version: f.Version, Required: f.Required()}
	}
	return f.History[len(f.History)-1]
}
