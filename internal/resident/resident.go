// Package resident owns the residents a ward helps: their record, the consent
// they gave before being recorded, and the protection of their personal numbers
// (Decree 13/2023/NĐ-CP). A resident is registered by the ward's staff, or by a
// volunteer on duty at a centre of that ward, and only with consent (the version
// of content/consent.yaml they were told, who recorded it and when).
//
// The phone number and the national ID (CCCD) number are encrypted at rest with
// AES-256-GCM (a random nonce per value, the resident id and the field as
// additional data, the key id stored beside each ciphertext) and looked up through
// a blind index (HMAC-SHA256 under a key derived from the data key). They never
// appear in lists, search results, create or update responses, logs or error
// messages; reading them is an explicit reveal that writes an audit record.
// Uniqueness of a number holds under concurrency through claims: one row or
// document per (kind, blind index), inserted before the resident, unique on both
// stores. Erasure destroys the personal fields and the claims and keeps the
// anonymous record (its id and ward), so counts do not change.
//
// Files: resident.go (types, validation, normalisation of numbers), crypt.go
// (the data key ring: encryption and blind indexes), rotate.go (the background
// re-encryption under the current key), consent.go (the consent texts),
// service.go (rules and scope), store.go (the Store port), import.go (bulk import
// of a CSV file with a per-row report).
package resident

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/plaintext"
	"ecitizen/internal/vntext"
)

// Gender is a resident's gender; optional.
type Gender string

// Genders.
const (
	GenderFemale Gender = "female"
	GenderMale   Gender = "male"
	GenderOther  Gender = "other"
)

// Resident is a person a ward helps. Phone and NationalID are never stored in
// clear: the store keeps their Sealed ciphertexts and blind indexes.
type Resident struct {
	ID     string
	WardID string
	// OriginWardID is the ward the resident was registered in; a ward merge moves
	// WardID, never this, so history before a merge reads per old ward.
	OriginWardID string
	FullName     string
	NameKey      string // vntext.Fold(FullName): diacritics- and case-insensitive search
	BirthYear    int    // 0 only once erased
	Gender       Gender // "" when not given
	Group        string // residential group (tổ dân phố)
	Notes        string
	// DupKey is the key of a possible duplicate: folded name, birth year and
	// folded group ("" once erased). Not unique: a caller may override.
	DupKey string
	// DuplicateOverride is the reason given to register despite a possible duplicate.
	DuplicateOverride string

	Phone         *Sealed // nil when not given (or erased)
	PhoneIndex    string  // blind index of the phone, "" when none
	NationalID    *Sealed
	NationalIndex string

	Consent   Consent
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
	ErasedAt  *time.Time
	ErasedBy  string
}

// Consent is the consent a resident gave before being recorded.
type Consent struct {
	Version    string // a ConsentVersion.ID
	GivenAt    time.Time
	RecordedBy string
}

// Erased reports whether the resident's personal data was erased.
func (r *Resident) Erased() bool { return r.ErasedAt != nil }

// Limits of a resident's fields.
const (
	MaxName   = 120
	MaxGroup  = 60
	MaxNotes  = 1000
	MaxReason = 500
	MinYear   = 1900
)

// DupKeyOf is the possible-duplicate key of a name, birth year and group.
func DupKeyOf(name string, birthYear int, group string) string {
	return vntext.Fold(name) + "|" + strconv.Itoa(birthYear) + "|" + vntext.Fold(group)
}

// validate checks a resident's own fields against the year now and sets its keys.
func (r *Resident) validate(year int) error {
	r.FullName = strings.Join(strings.Fields(r.FullName), " ")
	r.Group = strings.Join(strings.Fields(r.Group), " ")
	r.Notes = strings.TrimSpace(r.Notes)
	switch {
	case r.FullName == "" || utf8.RuneCountInString(r.FullName) > MaxName:
		return apperr.Invalid("full_name", "length", "Họ và tên từ 1 đến 120 ký tự.", "A full name has 1 to 120 characters.")
	case !strings.ContainsFunc(r.FullName, unicode.IsLetter):
		// The e-citizen certificate names the resident by an initial.
		return apperr.Invalid("full_name", "letters", "Họ và tên phải có chữ cái.", "A full name contains letters.")
	case r.BirthYear < MinYear || r.BirthYear > year:
		return apperr.Invalid("birth_year", "range", "Năm sinh từ 1900 đến năm hiện tại.", "The birth year is between 1900 and the current year.")
	case r.Gender != "" && r.Gender != GenderFemale && r.Gender != GenderMale && r.Gender != GenderOther:
		return apperr.Invalid("gender", "oneof", "Giới tính là female, male hoặc other (hoặc bỏ trống).", "The gender is female, male or other (or left out).")
	case r.Group == "" || utf8.RuneCountInString(r.Group) > MaxGroup:
		return apperr.Invalid("residential_group", "length", "Tổ dân phố từ 1 đến 60 ký tự.", "A residential group has 1 to 60 characters.")
	case utf8.RuneCountInString(r.Notes) > MaxNotes:
		return apperr.Invalid("notes", "max", "Ghi chú tối đa 1000 ký tự.", "Notes have 1000 characters at most.")
	case plaintext.Line("full_name", r.FullName) != nil:
		return plaintext.Line("full_name", r.FullName)
	case plaintext.Line("residential_group", r.Group) != nil:
		return plaintext.Line("residential_group", r.Group)
	case plaintext.Lines("notes", r.Notes) != nil:
		return plaintext.Lines("notes", r.Notes)
	}
	r.NameKey = vntext.Fold(r.FullName)
	r.DupKey = DupKeyOf(r.FullName, r.BirthYear, r.Group)
	return nil
}

var phoneJunk = strings.NewReplacer(" ", "", ".", "", "-", "", "(", "", ")", "", "\t", "")

// mobile is a Vietnamese mobile number without its country code or leading 0:
// nine digits starting with 3, 5, 7, 8 or 9.
var mobile = regexp.MustCompile(`^[35789][0-9]{8}$`)

// NormalisePhone returns a Vietnamese mobile number in E.164 (+84 and nine
// digits) from the ways people write it: "0912 345 678", "0912.345.678",
// "+84 912 345 678", "84912345678", "(+84) 912-345-678". Anything else is invalid
// (the message never repeats the number).
func NormalisePhone(s string) (string, error) {
	d := phoneJunk.Replace(strings.TrimSpace(s))
	switch {
	case strings.HasPrefix(d, "+84"):
		d = d[3:]
	case strings.HasPrefix(d, "84") && len(d) == 11:
		d = d[2:]
	case strings.HasPrefix(d, "0") && len(d) == 10:
		d = d[1:]
	default:
		d = ""
	}
	if !mobile.MatchString(d) {
		return "", apperr.Invalid("phone", "phone", "Số điện thoại di động Việt Nam không hợp lệ (ví dụ 0912 345 678 hoặc +84 912 345 678).",
			"Not a valid Vietnamese mobile number (e.g. 0912 345 678 or +84 912 345 678).")
	}
	return "+84" + d, nil
}

var cccd = regexp.MustCompile(`^[0-9]{12}$`)

// NormaliseNationalID returns a citizen identity card (CCCD) number: exactly 12
// digits, spaces allowed between them.
func NormaliseNationalID(s string) (string, error) {
	d := strings.Join(strings.Fields(s), "")
	if !cccd.MatchString(d) {
		return "", apperr.Invalid("national_id", "cccd", "Số căn cước công dân gồm đúng 12 chữ số.", "A national ID (CCCD) number has exactly 12 digits.")
	}
	return d, nil
}

// Action is what an audit record tells was done to a resident's personal data.
type Action string

// Audit actions.
const (
	ActionReveal Action = "reveal"
	ActionErase  Action = "erase"
	// ActionNumberCheck: someone outside the resident's wards registered or
	// imported a number the resident holds (and was told only that it is taken).
	ActionNumberCheck Action = "number_check"
)

// Audit is one insert-only record of an access to, or the erasure of, a
// resident's personal data: who, whose, when, why and which fields.
type Audit struct {
	ID         string // UUIDv7: newest first is ID descending
	ResidentID string
	WardID     string
	Action     Action
	Fields     []string // "phone", "national_id"
	Reason     string
	By         string
	At         time.Time
}

// Personal fields named in audit records.
const (
	FieldPhone      = "phone"
	FieldNationalID = "national_id"
)
