// Package equipment owns the devices of community centres and their usage log:
// each centre's computers, tablets, printers and so on (kind, label, status), and
// the sessions of use kept by the volunteer on duty (device, from, to, purpose),
// so that a ward can show the equipment serves its purpose.
//
// A device's label is unique per centre whatever its case and spacing, but not
// whatever its diacritics, which tell Vietnamese words apart (a unique key on
// vntext.Key of the label). Usage is insert-only, and one device never has two
// overlapping sessions that count: the store checks and inserts inside a
// per-device critical section (a transaction on SQLite, a lease document on
// MongoDB). A usage recorded in error is voided by ward staff with a reason (an
// insert keyed by the usage): it stays in the log, marked, and no longer counts
// in totals nor blocks its device.
//
// Files: equipment.go (types and validation), service.go (devices: rules and
// access), usage.go (the usage log, its rules and totals), store.go (the Store port).
package equipment

import (
	"strings"
	"time"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/plaintext"
	"ecitizen/internal/vntext"
)

// Kind is what a device is.
type Kind string

// Device kinds.
const (
	KindComputer   Kind = "computer"
	KindLaptop     Kind = "laptop"
	KindTablet     Kind = "tablet"
	KindSmartphone Kind = "smartphone"
	KindPrinter    Kind = "printer"
	KindScanner    Kind = "scanner"
	KindRouter     Kind = "router"
	KindOther      Kind = "other"
)

// Kinds lists every device kind.
var Kinds = []Kind{KindComputer, KindLaptop, KindTablet, KindSmartphone, KindPrinter, KindScanner, KindRouter, KindOther}

// Status is a device's condition.
type Status string

// Device statuses. A retired device stays listed (its usage keeps its history)
// but takes no new usage.
const (
	StatusWorking  Status = "working"
	StatusBroken   Status = "broken"
	StatusInRepair Status = "in_repair"
	StatusRetired  Status = "retired"
)

// Device is a piece of equipment at a centre. (CentreID, LabelKey) is unique.
type Device struct {
	ID       string
	CentreID string
	WardID   string // the centre's ward: ward staff scope
	Kind     Kind
	Label    string // as entered, e.g. "Máy tính số 3"
	// LabelKey is vntext.Key(Label), the unique key within the centre: "Máy tính
	// 3" and "máy  tính 3" are one label, "Bàn 1" and "Bán 1" two.
	LabelKey  string
	Status    Status
	Notes     string
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Limits of devices.
const (
	MaxLabel = 80
	MaxNotes = 1000
)

// Validate checks a device's own fields and sets its LabelKey.
func (d *Device) Validate() error {
	d.Label = strings.TrimSpace(d.Label)
	d.LabelKey = vntext.Key(d.Label)
	switch {
	case d.Label == "" || utf8.RuneCountInString(d.Label) > MaxLabel:
		return apperr.Invalid("label", "length", "Tên thiết bị từ 1 đến 80 ký tự.", "A device label has 1 to 80 characters.")
	case !validKind(d.Kind):
		return apperr.Invalid("kind", "oneof", "Loại thiết bị là computer, laptop, tablet, smartphone, printer, scanner, router hoặc other.",
			"The kind is computer, laptop, tablet, smartphone, printer, scanner, router or other.")
	case d.Status != StatusWorking && d.Status != StatusBroken && d.Status != StatusInRepair && d.Status != StatusRetired:
		return apperr.Invalid("status", "oneof", "Tình trạng là working, broken, in_repair hoặc retired.", "The status is working, broken, in_repair or retired.")
	case utf8.RuneCountInString(d.Notes) > MaxNotes:
		return apperr.Invalid("notes", "max", "Ghi chú tối đa 1000 ký tự.", "Notes have 1000 characters at most.")
	case plaintext.Line("label", d.Label) != nil:
		return plaintext.Line("label", d.Label)
	case plaintext.Lines("notes", d.Notes) != nil:
		return plaintext.Lines("notes", d.Notes)
	}
	return nil
}

func validKind(k Kind) bool {
	for _, x := range Kinds {
		if k == x {
			return true
		}
	}
	return false
}

// Purpose is what a session of use served.
type Purpose string

// Usage purposes.
const (
	PurposeProcedure Purpose = "procedure" // a resident's online public-service procedure
	PurposeLearning  Purpose = "learning"  // learning digital skills
	PurposeOther     Purpose = "other"
)

// Purposes lists every purpose, in the order totals show them.
var Purposes = []Purpose{PurposeProcedure, PurposeLearning, PurposeOther}

// Usage is a session of use of a device, recorded by the volunteer on duty or by
// ward staff; insert-only. CentreID and WardID copy the device's.
type Usage struct {
	ID       string
	DeviceID string
	CentreID string
	WardID   string
	From     time.Time
	To       time.Time
	Purpose  Purpose
	// Procedure optionally names the public-service procedure, e.g. "Đăng ký
	// thường trú"; only with PurposeProcedure.
	Procedure  string
	Note       string
	RecordedBy string
	// ShiftID is the shift the recording volunteer was on duty on; "" for staff.
	ShiftID   string
	CreatedAt time.Time
	// Void, when not nil, is staff's correction: the usage no longer counts,
	// nor blocks its device. Stores fill it in when they read usage.
	Void *Void
}

// Void is staff's correction of a usage recorded in error, with a reason;
// insert-only, one per usage (UsageID is unique).
type Void struct {
	UsageID string
	Reason  string
	By      string
	At      time.Time
}

// Minutes is the usage's length in whole minutes.
func (u *Usage) Minutes() int { return int(u.To.Sub(u.From) / time.Minute) }

// Limits of usage.
const (
	MaxUsage     = 12 * time.Hour
	MaxProcedure = 200
	MaxNote      = 500
	// FutureSlack is how far in the future a usage may end (clocks differ).
	FutureSlack = 5 * time.Minute
	// VolunteerLookback is how long ago a volunteer's usage may start; staff's
	// may start up to StaffLookback ago.
	VolunteerLookback = 7 * 24 * time.Hour
	StaffLookback     = 365 * 24 * time.Hour
	// MaxRange bounds the from..to range of a usage report.
	MaxRange = 366 * 24 * time.Hour
)

// Validate checks a usage's own fields (times against each other, purpose, texts).
func (u *Usage) Validate() error {
	u.Procedure, u.Note = strings.TrimSpace(u.Procedure), strings.TrimSpace(u.Note)
	switch {
	case !u.From.Before(u.To):
		return apperr.Invalid("to", "after_from", "Thời điểm kết thúc phải sau thời điểm bắt đầu.", "The end comes after the start.")
	case u.To.Sub(u.From) > MaxUsage:
		return apperr.Invalid("to", "duration", "Một lượt sử dụng dài tối đa 12 giờ.", "A session of use lasts 12 hours at most.")
	case u.Purpose != PurposeProcedure && u.Purpose != PurposeLearning && u.Purpose != PurposeOther:
		return apperr.Invalid("purpose", "oneof", "Mục đích là procedure, learning hoặc other.", "The purpose is procedure, learning or other.")
	case u.Procedure != "" && u.Purpose != PurposeProcedure:
		return apperr.Invalid("procedure", "purpose", "Chỉ ghi tên thủ tục khi mục đích là procedure.", "Name a procedure only when the purpose is procedure.")
	case utf8.RuneCountInString(u.Procedure) > MaxProcedure:
		return apperr.Invalid("procedure", "max", "Tên thủ tục tối đa 200 ký tự.", "A procedure name has 200 characters at most.")
	case utf8.RuneCountInString(u.Note) > MaxNote:
		return apperr.Invalid("note", "max", "Ghi chú tối đa 500 ký tự.", "A note has 500 characters at most.")
	}
	return nil
}
