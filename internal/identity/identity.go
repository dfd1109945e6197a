// Package identity owns accounts, roles and sessions: users with argon2id passwords,
// short-lived access JWTs, rotating refresh tokens grouped in families, and the
// invite codes through which organisations register their volunteers.
//
// Files: identity.go (types, roles, scope), password.go (argon2id), password_policy.go (what a new password must be), token.go (JWTs),
// service.go (login, refresh, logout, users), invite.go (invite codes, registration),
// ratelimit.go (login throttling), store.go (the Store port).
package identity

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/plaintext"
)

// Role is what a user may do; its scope says where.
type Role string

// The four roles (docs/api.md, "Who may do what").
const (
	RoleAdmin     Role = "admin"      // the district: everything
	RoleWardStaff Role = "ward_staff" // scoped to one or more wards
	RolePartner   Role = "partner"    // scoped to one organisation
	RoleVolunteer Role = "volunteer"  // belongs to one organisation
)

// Roles lists every role, in order of reach.
var Roles = []Role{RoleAdmin, RoleWardStaff, RolePartner, RoleVolunteer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Status is whether a user may sign in.
type Status string

// User statuses.
const (
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
)

// Scope is where a role applies: the wards of ward staff, the organisation of a
// partner or volunteer. Admins have an empty scope and reach everything.
type Scope struct {
	WardIDs        []string `json:"ward_ids,omitempty"`
	OrganisationID string   `json:"organisation_id,omitempty"`
}

// User is an account.
type User struct {
	ID          string
	Email       string // as entered; EmailKey is the unique, normalised form
	EmailKey    string
	DisplayName string
	Phone       string
	Role        Role
	Scope       Scope
	Status      Status
	// DisabledBy is the role that disabled the account, and the only one that
	// may enable it again (partners disable their volunteers, admins anyone);
	// empty while active, and on accounts disabled before it was recorded,
	// which count as disabled by an admin.
	DisabledBy   Role
	PasswordHash string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Caller is the authenticated principal of a request, as read from its access token
// and the current user record.
type Caller struct {
	UserID    string
	Role      Role
	Scope     Scope
	SessionID string // the refresh-token family the access token belongs to
	// OrganisationInactive: the caller is a partner or volunteer of an
	// organisation an admin deactivated. They keep their account, their
	// records and what they learn, and may give up what they hold, but take
	// and change nothing for the organisation (ErrOrganisationInactive).
	OrganisationInactive bool
}

// ErrOrganisationInactive refuses a partner's or volunteer's action while
// their organisation is deactivated.
var ErrOrganisationInactive = &apperr.Error{Code: CodeOrganisationInactive,
	Vi: "Tổ chức của bạn đã ngừng hoạt động trên hệ thống: bạn vẫn xem được hồ sơ, giờ tình nguyện và giấy chứng nhận của mình, huỷ được ca đã đăng ký, nhưng không đăng ký hay tạo mới được. Hãy liên hệ quản trị viên quận.",
	En: "Your organisation has been deactivated: you can still see your records, hours and certificates and cancel what you booked, but not book or create anything. Contact the district administrator."}

// IsAdmin reports whether the caller is a district admin.
func (c Caller) IsAdmin() bool { return c.Role == RoleAdmin }

// IsStaff reports whether the caller is district admin or ward staff: the
// roles that manage wards' data (centres, equipment, residents, rosters,
// certificates). It says nothing of which ward: HasWard decides that for each
// object.
func (c Caller) IsStaff() bool { return c.Role == RoleAdmin || c.Role == RoleWardStaff }

// HasWard reports whether the caller's scope covers wardID (admins cover all).
func (c Caller) HasWard(wardID string) bool {
	return c.IsAdmin() || (c.Role == RoleWardStaff && slices.Contains(c.Scope.WardIDs, wardID))
}

// HasOrganisation reports whether the caller is admin or a partner of orgID.
func (c Caller) HasOrganisation(orgID string) bool {
	return c.IsAdmin() || (c.Role == RolePartner && c.Scope.OrganisationID == orgID)
}

// NormaliseEmail returns the unique key of an email address: trimmed and lower-cased.
func NormaliseEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Limits on user fields.
const (
	MaxEmail       = 254
	MaxDisplayName = 120
	MaxPhone       = 20
	MinPassword    = 10
	MaxPassword    = 128
)

// ValidateEmail checks an email address.
func ValidateEmail(email string) error {
	if email == "" || utf8.RuneCountInString(email) > MaxEmail {
		return apperr.Invalid("email", "email", "Email không hợp lệ.", "The email address is not valid.")
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || !strings.Contains(email, "@") {
		return apperr.Invalid("email", "email", "Email không hợp lệ.", "The email address is not valid.")
	}
	return nil
}

// ValidatePhone checks an optional phone number: digits with an optional leading +.
func ValidatePhone(phone string) error {
	if phone == "" {
		return nil
	}
	p := strings.TrimPrefix(phone, "+")
	ok := len(p) >= 8 && len(phone) <= MaxPhone
	for _, r := range p {
		ok = ok && r >= '0' && r <= '9'
	}
	if !ok {
		return apperr.Invalid("phone", "phone", "Số điện thoại không hợp lệ.", "The phone number is not valid.")
	}
	return nil
}

// Validate checks a user's fields and that its scope fits its role.
func (u *User) Validate() error {
	if err := ValidateEmail(u.Email); err != nil {
		return err
	}
	if strings.TrimSpace(u.DisplayName) == "" || utf8.RuneCountInString(u.DisplayName) > MaxDisplayName {
		return apperr.Invalid("display_name", "length", "Tên hiển thị phải có từ 1 đến 120 ký tự.", "The display name must have 1 to 120 characters.")
	}
	if err := plaintext.Line("display_name", u.DisplayName); err != nil {
		return err
	}
	if err := ValidatePhone(u.Phone); err != nil {
		return err
	}
	if !u.Role.Valid() {
		return apperr.Invalid("role", "oneof", "Vai trò không hợp lệ.", "The role is not valid.")
	}
	if u.Status != StatusActive && u.Status != StatusDisabled {
		return apperr.Invalid("status", "oneof", "Trạng thái không hợp lệ.", "The status is not valid.")
	}
	switch u.Role {
	case RoleAdmin:
		if len(u.Scope.WardIDs) > 0 || u.Scope.OrganisationID != "" {
			return apperr.Invalid("scope", "scope_role", "Quản trị viên không có phạm vi phường hay tổ chức.", "An admin has no ward or organisation scope.")
		}
	case RoleWardStaff:
		if len(u.Scope.WardIDs) == 0 || u.Scope.OrganisationID != "" {
			return apperr.Invalid("ward_ids", "scope_role", "Cán bộ phường cần ít nhất một phường và không thuộc tổ chức.", "Ward staff need at least one ward and no organisation.")
		}
	case RolePartner, RoleVolunteer:
		if u.Scope.OrganisationID == "" || len(u.Scope.WardIDs) > 0 {
			return apperr.Invalid("organisation_id", "scope_role", "Đối tác và tình nguyện viên cần đúng một tổ chức.", "Partners and volunteers need exactly one organisation.")
		}
	}
	return nil
}
