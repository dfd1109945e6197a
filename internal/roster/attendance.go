package roster

// Attendance by rotating QR code, and the hours ledger.
//
// A centre's screen shows a check-in code that changes every minute: the base32
// of the window index (4 bytes, minutes since the Unix epoch) and an HMAC-SHA256
// over (centre id, window index), truncated to 10 bytes. The MAC key is derived
// from the JWT key (HMAC(jwtKey, "ecitizen checkin v1")), so the JWT key itself
// never signs anything else. A code is accepted in its own window and the next
// one, so a code read just before it rotates still works; an older code, or one
// of another centre, is refused.
//
// Attendance is insert-only: one row per (shift, volunteer, kind), kind checkin
// or checkout; the key makes a second check-in impossible under any concurrency.
// A row copies the shift's centre, ward and times, so a volunteer's or a centre's
// hours are read without a join. Minutes served on a shift run from check-in to
// check-out, capped to the shift's [start, end] (0 without a check-out). Ward
// staff add manual work entries (insert-only, with a reason) for work outside
// shifts.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/vntime"
)

// Error codes of attendance.
const (
	CodeCheckinCodeInvalid  apperr.Code = "checkin_code_invalid"
	CodeAlreadyCheckedIn    apperr.Code = "already_checked_in"
	CodeAlreadyCheckedOut   apperr.Code = "already_checked_out"
	CodeNotCheckedIn        apperr.Code = "not_checked_in"
	CodeCheckinWindowClosed apperr.Code = "checkin_window_closed"
)

var (
	errCodeInvalid = &apperr.Error{Code: CodeCheckinCodeInvalid,
		Vi: "Mã điểm danh không hợp lệ hoặc đã hết hạn; hãy quét lại mã trên màn hình.",
		En: "The check-in code is invalid or has expired; scan the code on the screen again."}
	errCheckedIn  = &apperr.Error{Code: CodeAlreadyCheckedIn, Vi: "Đã điểm danh vào ca này.", En: "Already checked in to this shift."}
	errCheckedOut = &apperr.Error{Code: CodeAlreadyCheckedOut, Vi: "Đã điểm danh ra khỏi ca này.", En: "Already checked out of this shift."}
	errNotIn      = &apperr.Error{Code: CodeNotCheckedIn, Vi: "Chưa điểm danh vào ca này.", En: "Not checked in to this shift."}
	errWindow     = &apperr.Error{Code: CodeCheckinWindowClosed,
		Vi: "Ngoài giờ điểm danh: vào ca từ 30 phút trước giờ bắt đầu đến khi kết thúc, ra ca đến 2 giờ sau khi kết thúc.",
		En: "Outside the attendance window: check in from 30 minutes before the start to the end, check out until 2 hours after the end."}
)

// Attendance windows and limits.
const (
	CheckinWindow   = 60 * time.Second // a code's lifetime on the screen
	CheckinEarly    = 30 * time.Minute // check-in opens this long before the start
	CheckoutLate    = 2 * time.Hour    // check-out closes this long after the end
	MaxEntryMinutes = 720
	// MaxHoursRange bounds the from..to range of an hours query.
	MaxHoursRange = 366 * 24 * time.Hour
)

// AttendanceKind is a check-in or a check-out.
type AttendanceKind string

// Attendance kinds.
const (
	KindCheckin  AttendanceKind = "checkin"
	KindCheckout AttendanceKind = "checkout"
)

// Attendance is a volunteer's check-in or check-out on a shift; (ShiftID,
// VolunteerID, Kind) is unique. CentreID, WardID, StartsAt and EndsAt copy the shift's.
type Attendance struct {
	ShiftID     string
	VolunteerID string
	Kind        AttendanceKind
	CentreID    string
	WardID      string
	StartsAt    time.Time
	EndsAt      time.Time
	At          time.Time
	By          string // the volunteer (by code), or staff
	Reason      string // staff's reason, "" by code
}

// WorkEntry is work outside shifts recorded by ward staff; insert-only.
type WorkEntry struct {
	ID          string
	VolunteerID string
	CentreID    string
	WardID      string
	Date        time.Time // the local day, as its midnight in Asia/Ho_Chi_Minh (in UTC)
	Minutes     int
	Reason      string
	CreatedBy   string
	CreatedAt   time.Time
}

// HoursFilter selects a volunteer's attendance rows or work entries in [From,
// To). WardIDs is the ward scope, applied inside the store query: rows of other
// wards are not read; empty means every ward (callers with an empty scope must
// not query at all).
type HoursFilter struct {
	VolunteerID string
	From, To    time.Time
	WardIDs     []string
}

// Place selects the rows of one centre (CentreID) or of every centre of one ward
// (WardID); exactly one is set.
type Place struct {
	CentreID string
	WardID   string
}

// AttendanceStore is the storage of attendance and work entries. Adapters return
// apperr.ErrConflict for a taken key and apperr.ErrNotFound for an unknown shift,
// volunteer or centre referenced by a new row.
type AttendanceStore interface {
	AddAttendance(ctx context.Context, a *Attendance) error
	// Attendance returns a shift's rows ordered by (VolunteerID, Kind).
	Attendance(ctx context.Context, shiftID string) ([]*Attendance, error)
	// AttendanceOfVolunteer returns a volunteer's rows of shifts starting in
	// [f.From, f.To) at f.WardIDs (all wards when empty), ordered by (StartsAt,
	// ShiftID, Kind).
	AttendanceOfVolunteer(ctx context.Context, f HoursFilter) ([]*Attendance, error)
	// AttendanceAt returns the rows of the shifts at a place starting in [from,
	// to), ordered by (StartsAt, ShiftID, VolunteerID, Kind).
	AttendanceAt(ctx context.Context, at Place, from, to time.Time) ([]*Attendance, error)
	AddWorkEntry(ctx context.Context, e *WorkEntry) error
	// WorkEntries returns a volunteer's entries dated in [f.From, f.To) at f.WardIDs
	// (all wards when empty), ordered by (Date, ID).
	WorkEntries(ctx context.Context, f HoursFilter) ([]*WorkEntry, error)
	// WorkEntriesAt returns the entries at a place dated in [from, to), ordered by (Date, ID).
	WorkEntriesAt(ctx context.Context, at Place, from, to time.Time) ([]*WorkEntry, error)
}

// CheckinKey derives the MAC key of check-in codes from the JWT key.
func CheckinKey(jwtKey []byte) []byte {
	m := hmac.New(sha256.New, jwtKey)
	m.Write([]byte("ecitizen checkin v1"))
	return m.Sum(nil)
}

var codeEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

const codeMACBytes = 10

func checkinWindow(t time.Time) uint32 { return uint32(t.Unix() / int64(CheckinWindow/time.Second)) }

func checkinMAC(key []byte, centreID string, window uint32) []byte {
	m := hmac.New(sha256.New, key)
	var w [4]byte
	binary.BigEndian.PutUint32(w[:], window)
	m.Write(w[:])
	m.Write([]byte(centreID))
	return m.Sum(nil)[:codeMACBytes]
}

// CheckinCodeAt returns the check-in code of a centre at time t (key is
// CheckinKey's) and when the screen shows the next one.
func CheckinCodeAt(key []byte, centreID string, t time.Time) (code string, rotatesAt time.Time) {
	w := checkinWindow(t)
	buf := make([]byte, 4, 4+codeMACBytes)
	binary.BigEndian.PutUint32(buf, w)
	buf = append(buf, checkinMAC(key, centreID, w)...)
	return codeEncoding.EncodeToString(buf), time.Unix(int64(w+1)*int64(CheckinWindow/time.Second), 0).UTC()
}

// validCode reports whether code is the centre's code of the window of now or
// of the one before.
func validCode(key []byte, centreID, code string, now time.Time) bool {
	raw, err := codeEncoding.DecodeString(strings.ToUpper(strings.TrimSpace(code)))
	if err != nil || len(raw) != 4+codeMACBytes {
		return false
	}
	w, cur := binary.BigEndian.Uint32(raw[:4]), checkinWindow(now)
	if w != cur && w+1 != cur {
		return false
	}
	return hmac.Equal(raw[4:], checkinMAC(key, centreID, w))
}

// CheckinCode returns the current code of a centre for its screen; admins and
// the staff of its ward may (other ward staff find no centre).
func (s *Service) CheckinCode(ctx context.Context, c identity.Caller, centreID string) (string, time.Time, error) {
	centre, err := s.centres.ActiveCentre(ctx, centreID)
	if err != nil {
		return "", time.Time{}, err
	}
	if !manages(c, centre.WardID) {
		if c.Role == identity.RoleWardStaff {
			return "", time.Time{}, fmt.Errorf("centre %s: %w", centreID, apperr.ErrNotFound)
		}
		return "", time.Time{}, apperr.ErrForbidden
	}
	if len(s.checkinKey) == 0 {
		return "", time.Time{}, fmt.Errorf("check-in codes have no key: %w", apperr.ErrUnavailable)
	}
	code, rotates := CheckinCodeAt(s.checkinKey, centre.ID, s.now())
	return code, rotates, nil
}

// CheckIn checks the calling volunteer in to a shift they booked, with the code of
// the shift's centre, from 30 minutes before the start to the end.
func (s *Service) CheckIn(ctx context.Context, c identity.Caller, shiftID, code string) (*Attendance, error) {
	return s.attendByCode(ctx, c, shiftID, code, KindCheckin)
}

// CheckOut checks the calling volunteer out of a shift they checked in to, with
// the code of the shift's centre, until 2 hours after the end.
func (s *Service) CheckOut(ctx context.Context, c identity.Caller, shiftID, code string) (*Attendance, error) {
	return s.attendByCode(ctx, c, shiftID, code, KindCheckout)
}

func (s *Service) attendByCode(ctx context.Context, c identity.Caller, shiftID, code string, kind AttendanceKind) (*Attendance, error) {
	sh, err := s.store.ShiftByID(ctx, shiftID)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.Booking(ctx, shiftID, c.UserID); err != nil {
		return nil, err // only the booked volunteer: others find no booking
	}
	now := s.timestamp()
	if sh.Status == StatusCancelled {
		return nil, errCancelled
	}
	closes := sh.EndsAt
	if kind == KindCheckout {
		closes = sh.EndsAt.Add(CheckoutLate)
	}
	if now.Before(sh.StartsAt.Add(-CheckinEarly)) || now.After(closes) {
		return nil, errWindow
	}
	if len(s.checkinKey) == 0 || !validCode(s.checkinKey, sh.CentreID, code, s.now()) {
		return nil, errCodeInvalid
	}
	return s.attend(ctx, sh, c.UserID, kind, c.UserID, "", now)
}

// RecordAttendance checks a booked volunteer in or out by ward staff (or an
// admin), without a code, with a reason; from 30 minutes before the start on.
func (s *Service) RecordAttendance(ctx context.Context, c identity.Caller, shiftID, volunteerID string, kind AttendanceKind, reason string) (*Attendance, error) {
	sh, err := s.managed(ctx, c, shiftID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, apperr.Invalid("reason", "required", "Hãy ghi lý do.", "Give a reason.")
	}
	if kind != KindCheckin && kind != KindCheckout {
		return nil, apperr.Invalid("action", "oneof", "Hành động là checkin hoặc checkout.", "The action is checkin or checkout.")
	}
	if _, err := s.store.Booking(ctx, shiftID, volunteerID); err != nil {
		return nil, err
	}
	now := s.timestamp()
	if sh.Status == StatusCancelled {
		return nil, errCancelled
	}
	if now.Before(sh.StartsAt.Add(-CheckinEarly)) {
		return nil, errWindow
	}
	return s.attend(ctx, sh, volunteerID, kind, c.UserID, strings.TrimSpace(reason), now)
}

// attend inserts an attendance row; a check-out needs a check-in first.
func (s *Service) attend(ctx context.Context, sh *Shift, volunteerID string, kind AttendanceKind, by, reason string, now time.Time) (*Attendance, error) {
	if kind == KindCheckout {
		rows, err := s.store.Attendance(ctx, sh.ID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(rows, func(a *Attendance) bool { return a.VolunteerID == volunteerID && a.Kind == KindCheckin }) {
			return nil, errNotIn
		}
	}
	a := &Attendance{ShiftID: sh.ID, VolunteerID: volunteerID, Kind: kind, CentreID: sh.CentreID, WardID: sh.WardID,
		StartsAt: sh.StartsAt, EndsAt: sh.EndsAt, At: now, By: by, Reason: reason}
	if err := s.store.AddAttendance(ctx, a); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			if kind == KindCheckout {
				return nil, errCheckedOut
			}
			return nil, errCheckedIn
		}
		return nil, fmt.Errorf("record attendance: %w", err)
	}
	return a, nil
}

// NewWorkEntry is what ward staff give to record work outside shifts.
type NewWorkEntry struct {
	CentreID string
	Date     string // YYYY-MM-DD, local day
	Minutes  int
	Reason   string
}

// AddWorkEntry records minutes of work of a volunteer at a centre of the caller's
// wards, on a day that is not in the future.
func (s *Service) AddWorkEntry(ctx context.Context, c identity.Caller, volunteerID string, n NewWorkEntry) (*WorkEntry, error) {
	if !c.IsStaff() {
		return nil, apperr.ErrForbidden
	}
	if err := s.people.CheckVolunteer(ctx, volunteerID); err != nil {
		return nil, err
	}
	switch {
	case n.Minutes < 1 || n.Minutes > MaxEntryMinutes:
		return nil, apperr.Invalid("minutes", "range", "Số phút từ 1 đến 720.", "Minutes are 1 to 720.")
	case strings.TrimSpace(n.Reason) == "" || utf8.RuneCountInString(n.Reason) > 500:
		return nil, apperr.Invalid("reason", "length", "Lý do từ 1 đến 500 ký tự.", "A reason has 1 to 500 characters.")
	}
	day, err := vntime.ParseDate("date", n.Date)
	if err != nil {
		return nil, err
	}
	if day.After(s.now()) {
		return nil, apperr.Invalid("date", "range", "Ngày làm việc không ở tương lai.", "The day of work is not in the future.")
	}
	centre, err := s.centres.ActiveCentre(ctx, n.CentreID)
	if err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, apperr.Invalid("centre_id", "unknown_centre", "Không có nhà sinh hoạt cộng đồng với mã này.", "There is no centre with this id.")
		}
		return nil, err
	}
	if !manages(c, centre.WardID) {
		return nil, fmt.Errorf("centre %s: %w", n.CentreID, apperr.ErrNotFound)
	}
	e := &WorkEntry{ID: uuid.Must(uuid.NewV7()).String(), VolunteerID: volunteerID, CentreID: centre.ID, WardID: centre.WardID,
		Date: day.UTC(), Minutes: n.Minutes, Reason: strings.TrimSpace(n.Reason), CreatedBy: c.UserID, CreatedAt: s.timestamp()}
	if err := s.store.AddWorkEntry(ctx, e); err != nil {
		return nil, fmt.Errorf("add work entry: %w", err)
	}
	return e, nil
}

// ShiftHours is a volunteer's attendance of one shift.
type ShiftHours struct {
	ShiftID      string
	CentreID     string
	WardID       string // the shift's ward (its centre's at the time)
	StartsAt     time.Time
	EndsAt       time.Time
	CheckedInAt  *time.Time
	CheckedOutAt *time.Time
	Minutes      int
	volunteerID  string // whose line it is, for totals over several volunteers
}

// Hours is a volunteer's ledger over a range.
type Hours struct {
	VolunteerID  string
	From, To     time.Time
	TotalMinutes int
	Shifts       []*ShiftHours
	Entries      []*WorkEntry
}

// served returns the whole minutes from in to out, capped to [start, end].
func served(in, out, start, end time.Time) int {
	if in.Before(start) {
		in = start
	}
	if out.After(end) {
		out = end
	}
	if !out.After(in) {
		return 0
	}
	return int(out.Sub(in) / time.Minute)
}

// Ledger groups attendance rows into per-shift lines, one per (shift,
// volunteer), with the minutes served (check-in to check-out within the shift).
func Ledger(rows []*Attendance) []*ShiftHours {
	byShift := map[string]*ShiftHours{}
	var out []*ShiftHours
	for _, a := range rows {
		key := a.ShiftID + "|" + a.VolunteerID
		h := byShift[key]
		if h == nil {
			h = &ShiftHours{ShiftID: a.ShiftID, CentreID: a.CentreID, WardID: a.WardID, StartsAt: a.StartsAt, EndsAt: a.EndsAt,
				volunteerID: a.VolunteerID}
			byShift[key] = h
			out = append(out, h)
		}
		at := a.At
		if a.Kind == KindCheckin {
			h.CheckedInAt = &at
		} else {
			h.CheckedOutAt = &at
		}
	}
	for _, h := range out {
		if h.CheckedInAt != nil && h.CheckedOutAt != nil {
			h.Minutes = served(*h.CheckedInAt, *h.CheckedOutAt, h.StartsAt, h.EndsAt)
		}
	}
	return out
}

// span checks an hours range.
func span(from, to time.Time) error {
	if !to.After(from) || to.Sub(from) > MaxHoursRange {
		return apperr.Invalid("to", "range", "Khoảng thời gian từ from đến to dài tối đa 366 ngày.", "The range from..to is positive and 366 days at most.")
	}
	return nil
}

// hours builds a volunteer's ledger; wards scopes it (nil: every ward). The scope
// is part of the store queries, so lines of other wards are never loaded.
func (s *Service) hours(ctx context.Context, volunteerID string, from, to time.Time, wards []string) (*Hours, error) {
	if err := span(from, to); err != nil {
		return nil, err
	}
	h := &Hours{VolunteerID: volunteerID, From: from, To: to}
	if wards != nil && len(wards) == 0 {
		return h, nil // a scope of no wards sees no lines
	}
	f := HoursFilter{VolunteerID: volunteerID, From: from, To: to, WardIDs: wards}
	rows, err := s.store.AttendanceOfVolunteer(ctx, f)
	if err != nil {
		return nil, err
	}
	es, err := s.store.WorkEntries(ctx, f)
	if err != nil {
		return nil, err
	}
	h.Shifts = Ledger(rows)
	for _, l := range h.Shifts {
		h.TotalMinutes += l.Minutes
	}
	h.Entries = es
	for _, e := range es {
		h.TotalMinutes += e.Minutes
	}
	return h, nil
}

// MyHours is the calling user's own ledger of shifts starting, and entries dated, in [from, to).
func (s *Service) MyHours(ctx context.Context, c identity.Caller, from, to time.Time) (*Hours, error) {
	return s.hours(ctx, c.UserID, from, to, nil)
}

// VolunteerHours is a volunteer's ledger for admins, for ward staff (only the
// lines at their wards' centres) and for the partner of the volunteer's
// organisation; other partners find no volunteer, volunteers are forbidden.
func (s *Service) VolunteerHours(ctx context.Context, c identity.Caller, volunteerID string, from, to time.Time) (*Hours, error) {
	var wards []string // nil: every ward
	switch c.Role {
	case identity.RoleAdmin:
	case identity.RoleWardStaff:
		wards = append([]string{}, c.Scope.WardIDs...)
	case identity.RolePartner:
	default:
		return nil, apperr.ErrForbidden
	}
	org, err := s.people.VolunteerOrganisation(ctx, volunteerID)
	if err != nil {
		return nil, err
	}
	if c.Role == identity.RolePartner && !c.HasOrganisation(org) {
		return nil, fmt.Errorf("volunteer %s: %w", volunteerID, apperr.ErrNotFound)
	}
	return s.hours(ctx, volunteerID, from, to, wards)
}
