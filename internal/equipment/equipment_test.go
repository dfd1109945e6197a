package equipment

import (
	"testing"
	"time"

	"ecitizen/internal/apperr"
)

// The label key ignores case, spacing and how accents are encoded, but keeps
// the diacritics: "Bàn 1" and "Bán 1" are two devices of one centre.
func TestValidateSetsLabelKey(t *testing.T) {
	key := func(label string) string {
		d := &Device{Kind: KindComputer, Label: label, Status: StatusWorking}
		if err := d.Validate(); err != nil {
			t.Fatalf("Validate(%q): %v", label, err)
		}
		return d.LabelKey
	}
	for _, l := range []string{"Máy tính 3", "Ma\u0301y ti\u0301nh 3", "  MÁY   TÍNH 3 "} {
		if got := key(l); got != "máy tính 3" {
			t.Errorf("label %q: key %q, want %q", l, got, "máy tính 3")
		}
	}
	if key("Bàn 1") == key("Bán 1") || key("Máy tính 3") == key("May tinh 3") {
		t.Error("diacritics are part of a label")
	}
}

func TestUsageValidate(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		edit  func(*Usage)
		field string
	}{
		{"ok", func(*Usage) {}, ""},
		{"ErrToBeforeFrom", func(u *Usage) { u.To = u.From }, "to"},
		{"ErrOverTwelveHours", func(u *Usage) { u.To = u.From.Add(12*time.Hour + time.Second) }, "to"},
		{"TwelveHours", func(u *Usage) { u.To = u.From.Add(12 * time.Hour) }, ""},
		{"ErrPurpose", func(u *Usage) { u.Purpose = "gaming" }, "purpose"},
		{"ErrProcedureWithLearning", func(u *Usage) { u.Purpose = PurposeLearning }, "procedure"},
		{"LearningWithoutProcedure", func(u *Usage) { u.Purpose, u.Procedure = PurposeLearning, " " }, ""},
	} {
		u := &Usage{From: t0, To: t0.Add(time.Hour), Purpose: PurposeProcedure, Procedure: "Cấp đổi căn cước"}
		c.edit(u)
		err := u.Validate()
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (err == nil || len(asFields(err)) == 0 || asFields(err)[0] != c.field):
			t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
		}
	}
}

func TestTotalsSkipVoidedUsage(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 2, 0, 0, 0, time.UTC)
	d1, d2 := &Device{ID: "d1", Label: "Máy tính 2"}, &Device{ID: "d2", Label: "máy in"}
	us := []*Usage{
		{DeviceID: "d1", From: t0, To: t0.Add(30 * time.Minute), Purpose: PurposeProcedure},
		{DeviceID: "d1", From: t0, To: t0.Add(90*time.Minute + 59*time.Second), Purpose: PurposeLearning},
		{DeviceID: "d2", From: t0, To: t0.Add(10 * time.Minute), Purpose: PurposeProcedure},
		{DeviceID: "d2", From: t0, To: t0.Add(5 * time.Hour), Purpose: PurposeOther, Void: &Void{Reason: "Nhầm"}},
	}
	got := totals(us, []*Device{d1, d2})
	if got.Sessions != 3 || got.Minutes != 130 {
		t.Fatalf("totals %+v", got)
	}
	want := []PurposeTotal{{PurposeProcedure, 2, 40}, {PurposeLearning, 1, 90}, {PurposeOther, 0, 0}}
	for i, p := range got.ByPurpose {
		if p != want[i] {
			t.Errorf("purpose line %d: %+v, want %+v", i, p, want[i])
		}
	}
	if len(got.ByDevice) != 2 || got.ByDevice[0] != (DeviceTotal{"d2", "máy in", 1, 10}) || got.ByDevice[1] != (DeviceTotal{"d1", "Máy tính 2", 2, 120}) {
		t.Errorf("device lines %+v", got.ByDevice)
	}
}

// asFields returns the fields of a validation error's problems.
func asFields(err error) []string {
	e := apperr.As(err)
	if e == nil {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}
