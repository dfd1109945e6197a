// Package directory owns the district's places and partners: wards (phường),
// community centres (nhà sinh hoạt cộng đồng) with their opening hours and seats,
// and partner organisations (universities, youth unions).
//
// Targets (targets.go): per ward and year, the adult population and the
// households; per year, the share of adults the district aims to make
// e-citizens. Each is a setting keyed by (ward, year) or year: the last write
// wins, and concurrent writes never store two.
//
// Ward merges (merge.go, the 2025 reform): an admin merges ward A into ward B.
// Residents, centres (with their devices), shift series, shifts and training
// sessions starting from the merge time move to B; A's ward staff are given B
// too. History keeps A: past shifts, attendance, work entries, no-shows, device
// usage, audit records, and each resident's origin ward (set at registration,
// never changed by a merge). A merge record, insert-only and keyed by A, makes a
// ward merged once. On SQLite the whole merge is one transaction. MongoDB has no
// transactions, so the merge marks first (the record, then A's status
// "merging", which refuses new residents, centres and shifts in A), then moves,
// then marks A "merged"; every step is idempotent, and calling the merge again
// for a ward whose record exists but whose move did not finish continues it (a
// crash half-way is finished by the retry). Merges of one ward run one at a
// time (a transaction, or a lease on MongoDB), so exactly one request marks the
// ward merged and answers the merge; the others are ward_merged. A registration racing the mark
// follows the ward to B (the store re-reads the ward after inserting).
//
// Files: directory.go (types and validation), hours.go (opening hours),
// service.go (rules and access), store.go (the Store port), targets.go (ward and
// district targets), merge.go (ward merges).
package directory

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/plaintext"
)

// WardStatus tells whether a ward is in use or was merged into another (2025 reform).
type WardStatus string

// Ward statuses.
const (
	WardActive WardStatus = "active"
	// WardMerging is a ward whose merge is recorded and whose residents, centres
	// and shifts are moving to MergedInto (merge.go); it takes nothing new.
	WardMerging WardStatus = "merging"
	WardMerged  WardStatus = "merged"
)

// Ward is an administrative unit that owns centres and residents.
type Ward struct {
	ID         string
	Code       string // official administrative code, unique
	NameVi     string
	NameEn     string
	Status     WardStatus
	MergedInto string     // the ward that took it over, when Status is merged (or merging)
	MergedAt   *time.Time // when it was merged; nil while active
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

var wardCode = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z_-]{0,15}$`)

// Validate checks a ward's fields.
func (w *Ward) Validate() error {
	if !wardCode.MatchString(w.Code) {
		return apperr.Invalid("code", "code", "Mã phường chỉ gồm chữ, số, '-' hoặc '_' (tối đa 16 ký tự).", "A ward code has letters, digits, '-' or '_' (16 at most).")
	}
	if err := checkName("name_vi", w.NameVi, 120); err != nil {
		return err
	}
	if err := checkName("name_en", w.NameEn, 120); err != nil {
		return err
	}
	switch w.Status {
	case WardActive:
		if w.MergedInto != "" {
			return apperr.Invalid("merged_into", "merged_into", "Phường đang hoạt động không được sáp nhập vào phường khác.", "An active ward is not merged into another.")
		}
	case WardMerged, WardMerging:
		if w.MergedInto == "" || w.MergedInto == w.ID {
			return apperr.Invalid("merged_into", "merged_into", "Phường đã sáp nhập cần nêu phường tiếp nhận.", "A merged ward names the ward that took it over.")
		}
	default:
		return apperr.Invalid("status", "oneof", "Trạng thái phường không hợp lệ.", "The ward status is not valid.")
	}
	return nil
}

// Centre is a community centre with computers where volunteers are on duty.
type Centre struct {
	ID        string
	WardID    string
	Name      string
	Address   string
	Hours     OpeningHours
	Seats     int // computer seats for residents
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MaxSeats bounds a centre's seats.
const MaxSeats = 500

// Validate checks a centre's fields.
func (c *Centre) Validate() error {
	if c.WardID == "" {
		return apperr.Invalid("ward_id", "required", "Cần chọn phường.", "A ward is required.")
	}
	if err := checkName("name", c.Name, 160); err != nil {
		return err
	}
	if err := checkName("address", c.Address, 300); err != nil {
		return err
	}
	if c.Seats < 0 || c.Seats > MaxSeats {
		return apperr.Invalid("seats", "range", "Số chỗ ngồi phải từ 0 đến 500.", "Seats must be between 0 and 500.")
	}
	return c.Hours.Validate()
}

// OrganisationKind is what kind of partner an organisation is.
type OrganisationKind string

// Organisation kinds.
const (
	KindUniversity OrganisationKind = "university"
	KindYouthUnion OrganisationKind = "youth_union"
	KindOther      OrganisationKind = "other"
)

// Organisation is a partner: a university, a youth union, or another body.
type Organisation struct {
	ID           string
	Kind         OrganisationKind
	Name         string
	ContactName  string
	ContactEmail string
	ContactPhone string
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Validate checks an organisation's fields.
func (o *Organisation) Validate() error {
	switch o.Kind {
	case KindUniversity, KindYouthUnion, KindOther:
	default:
		return apperr.Invalid("kind", "oneof", "Loại tổ chức phải là university, youth_union hoặc other.", "The kind must be university, youth_union or other.")
	}
	if err := checkName("name", o.Name, 200); err != nil {
		return err
	}
	if utf8.RuneCountInString(o.ContactName) > 120 {
		return apperr.Invalid("contact_name", "max", "Tên người liên hệ tối đa 120 ký tự.", "The contact name has 120 characters at most.")
	}
	if err := plaintext.Line("contact_name", o.ContactName); err != nil {
		return err
	}
	if o.ContactEmail != "" && (utf8.RuneCountInString(o.ContactEmail) > 254 || !strings.Contains(o.ContactEmail, "@")) {
		return apperr.Invalid("contact_email", "email", "Email liên hệ không hợp lệ.", "The contact email is not valid.")
	}
	if utf8.RuneCountInString(o.ContactPhone) > 20 {
		return apperr.Invalid("contact_phone", "max", "Số điện thoại liên hệ tối đa 20 ký tự.", "The contact phone has 20 characters at most.")
	}
	return nil
}

func checkName(field, v string, max int) error {
	if strings.TrimSpace(v) == "" || utf8.RuneCountInString(v) > max {
		return apperr.Invalid(field, "length",
			"Trường "+field+" không được để trống và có tối đa "+strconv.Itoa(max)+" ký tự.",
			"The field "+field+" must not be empty and has "+strconv.Itoa(max)+" characters at most.")
	}
	return plaintext.Line(field, v)
}
