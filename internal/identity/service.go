package identity

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/logging"
	"ecitizen/internal/page"
	"ecitizen/internal/throttle"
)

// Error codes of identity.
const (
	CodeInvalidCredentials   apperr.Code = "invalid_credentials"
	CodeAccountDisabled      apperr.Code = "account_disabled"
	CodeEmailTaken           apperr.Code = "email_taken"
	CodeInvalidToken         apperr.Code = "invalid_refresh_token"
	CodeWrongPassword        apperr.Code = "wrong_password"
	CodeInviteInvalid        apperr.Code = "invite_invalid"
	CodeOrganisationInactive apperr.Code = "organisation_inactive"
)

var (
	errInvalidCredentials = apperr.New(CodeInvalidCredentials, "Email hoặc mật khẩu không đúng.", "The email or password is wrong.")
	errAccountDisabled    = apperr.New(CodeAccountDisabled, "Tài khoản đã bị khoá. Hãy liên hệ quản trị viên.", "This account is disabled. Contact an administrator.")
	errEmailTaken         = apperr.New(CodeEmailTaken, "Email này đã được dùng cho một tài khoản khác.", "This email is already used by another account.")
	errInvalidRefresh     = apperr.New(CodeInvalidToken, "Phiên đăng nhập đã hết hạn hoặc bị thu hồi. Hãy đăng nhập lại.", "The session has expired or was revoked. Please sign in again.")
)

// Directory is what identity needs to know of wards and organisations.
type Directory interface {
	// CheckOrganisation returns an error wrapping apperr.ErrNotFound unless the
	// organisation exists and is active.
	CheckOrganisation(ctx context.Context, id string) error
	// CheckWards returns an error wrapping apperr.ErrNotFound unless every ward exists.
	CheckWards(ctx context.Context, ids []string) error
}

// Service holds the rules of accounts and sessions.
type Service struct {
	store   Store
	dir     Directory
	tokens  *Tokens
	now     func() time.Time
	log     *slog.Logger
	account *throttle.Limiter
	addr    *throttle.Limiter
	// hashing bounds concurrent argon2id computations (19 MiB each) to the
	// CPUs, and hashWait how long one waits for a turn (acquire).
	hashing  chan struct{}
	hashWait time.Duration
	// cost is the argon2id work of new hashes.
	cost PasswordCost
	// dummyHash is checked for unknown emails so they take as long as wrong passwords.
	dummyHash string
}

// Deps are what the identity service is built from.
type Deps struct {
	// Store keeps users, sessions and invites.
	Store Store
	// Directory checks organisations and wards (directory.Service).
	Directory Directory
	// Tokens signs and checks access tokens (required); its clock is the
	// service's.
	Tokens *Tokens
	// Limits throttle login attempts; the zero value throttles nothing.
	Limits LoginLimits
	// PasswordCost is the argon2id work of new password hashes (hashes already
	// stored keep their own cost); the zero value is DefaultPasswordCost.
	PasswordCost PasswordCost
	// Logger takes what the service logs; nil: logs nothing.
	Logger *slog.Logger
}

// NewService returns the identity service; a PasswordCost that cannot hash is
// an error.
func NewService(d Deps) (*Service, error) {
	s := &Service{
		store: d.Store, dir: d.Directory, tokens: d.Tokens, now: d.Tokens.now, log: logging.OrDiscard(d.Logger),
		account:  throttle.New(d.Limits.AccountBurst, d.Limits.AccountEvery),
		addr:     throttle.New(d.Limits.AddrBurst, d.Limits.AddrEvery),
		hashing:  make(chan struct{}, max(2, runtime.GOMAXPROCS(0))),
		hashWait: maxHashWait,
		cost:     d.PasswordCost.orDefault(),
	}
	var err error
	if s.dummyHash, err = s.cost.Hash(uuid.NewString()); err != nil {
		return nil, err
	}
	return s, nil
}

// TokenPair is what login, refresh and registration return.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int // seconds until the access token expires
}

func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hashing }()
	return s.cost.Hash(pw)
}

func (s *Service) check(ctx context.Context, hash, pw string) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.hashing }()
	return CheckPassword(hash, pw)
}

// maxHashWait is how long a password check or hash waits for a turn before
// the request is answered 503 store_busy (Retry-After): a burst of sign-ins
// beyond what the CPUs can hash is shed at once instead of queueing, so that it
// never holds the CPUs for minutes hashing for clients long gone (a sign-in is
// a write, which the client leaving does not cancel) while every other request
// waits behind it.
const maxHashWait = 2 * time.Second

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hashing <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(s.hashWait)
	defer t.Stop()
	select {
	case s.hashing <- struct{}{}:
		return nil
	case <-t.C:
		return apperr.ErrBusy
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Service) timestamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

func rateLimited(wait int) error {
	e := apperr.New(apperr.CodeRateLimited, "Quá nhiều lần thử. Vui lòng thử lại sau.", "Too many attempts. Please try again later.")
	e.RetryAfter = wait
	return e
}

// Login checks an email and password and starts a new session (a token family).
// Unknown emails and wrong passwords get the same answer after the same work.
func (s *Service) Login(ctx context.Context, email, password, clientAddr string) (*TokenPair, error) {
	key := NormaliseEmail(email)
	now := s.now()
	if ok, wait := s.addr.Allow(clientAddr, now); !ok {
		return nil, rateLimited(wait)
	}
	if ok, wait := s.account.Allow(key, now); !ok {
		return nil, rateLimited(wait)
	}
	u, err := s.store.UserByEmail(ctx, key)
	if errors.Is(err, apperr.ErrNotFound) {
		// The same work, and the same answer when there is no turn for it.
		if _, err := s.check(ctx, s.dummyHash, password); err != nil {
			return nil, fmt.Errorf("login: %w", err)
		}
		return nil, errInvalidCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("login: %w", err)
	}
	ok, err := s.check(ctx, u.PasswordHash, password)
	if err != nil {
		return nil, fmt.Errorf("login %s: %w", u.ID, err)
	}
	if !ok {
		return nil, errInvalidCredentials
	}
	if u.Status != StatusActive {
		return nil, errAccountDisabled
	}
	if !s.cost.hashed(u.PasswordHash) {
		// Stored at another cost (the parameters changed since): hashed again
		// now that the password is known. A failure only postpones it.
		// Only the hash is replaced, and only if unchanged: a whole-user write here
		// could undo an admin's disable that landed since the user was read.
		if h, err := s.hash(ctx, password); err == nil {
			if err := s.store.ReplacePasswordHash(ctx, u.ID, u.PasswordHash, h, s.timestamp()); err != nil {
				s.log.WarnContext(ctx, "login: rehash of the password failed", "user_id", u.ID, "err", err)
			}
		}
	}
	return s.startSession(ctx, u, uuid.NewString())
}

// startSession issues an access token and a refresh token in family.
func (s *Service) startSession(ctx context.Context, u *User, family string) (*TokenPair, error) {
	token, hash, err := newRefreshToken()
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	rt := &RefreshToken{Hash: hash, FamilyID: family, UserID: u.ID, IssuedAt: now, ExpiresAt: now.Add(RefreshTTL)}
	if err := s.store.CreateRefreshToken(ctx, rt); err != nil {
		return nil, fmt.Errorf("store refresh token: %w", err)
	}
	access, err := s.tokens.Issue(u, family)
	if err != nil {
		return nil, err
	}
	return &TokenPair{AccessToken: access, RefreshToken: token, ExpiresIn: int(AccessTTL.Seconds())}, nil
}

// Refresh spends a refresh token and returns a new pair in the same family. A
// spent token presented again revokes the whole family: whoever holds the newer
// tokens (the user or a thief) must sign in again.
func (s *Service) Refresh(ctx context.Context, token string) (*TokenPair, error) {
	if token == "" || len(token) > 200 {
		return nil, errInvalidRefresh
	}
	hash := hashRefreshToken(token)
	rt, err := s.store.RefreshTokenByHash(ctx, hash)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, errInvalidRefresh
	}
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	now := s.timestamp()
	if !now.Before(rt.ExpiresAt) {
		return nil, errInvalidRefresh
	}
	revoked, err := s.store.FamilyRevoked(ctx, rt.FamilyID)
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	if revoked {
		return nil, errInvalidRefresh
	}
	if err := s.store.SpendRefreshToken(ctx, hash, now); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			if err := s.store.RevokeFamily(ctx, rt.FamilyID, "reuse", now); err != nil {
				return nil, fmt.Errorf("revoke family on reuse: %w", err)
			}
			return nil, errInvalidRefresh
		}
		return nil, fmt.Errorf("spend refresh token: %w", err)
	}
	u, err := s.store.UserByID(ctx, rt.UserID)
	if err != nil {
		return nil, fmt.Errorf("refresh: %w", err)
	}
	if u.Status != StatusActive {
		return nil, errInvalidRefresh
	}
	return s.startSession(ctx, u, rt.FamilyID)
}

// Logout ends the caller's session: its token family is revoked.
func (s *Service) Logout(ctx context.Context, c Caller) error {
	return s.store.RevokeFamily(ctx, c.SessionID, "logout", s.timestamp())
}

// Authenticate verifies an access token and returns the caller as the store knows
// them now: a disabled user or a revoked session is refused at once, and a changed
// role or scope applies at once.
func (s *Service) Authenticate(ctx context.Context, token string) (Caller, error) {
	claims, err := s.tokens.Parse(token)
	if err != nil {
		return Caller{}, apperr.ErrUnauthorized
	}
	c, _, err := s.Resume(ctx, claims.Subject, claims.SessionID)
	return c, err
}

// Resume returns the caller of session sid of user userID as the store knows them
// now, and the user, with the checks of Authenticate: the web pages keep (user,
// session) in a signed cookie instead of an access token, and Logout ends either.
func (s *Service) Resume(ctx context.Context, userID, sid string) (Caller, *User, error) {
	if userID == "" || sid == "" {
		return Caller{}, nil, apperr.ErrUnauthorized
	}
	u, err := s.store.UserByID(ctx, userID)
	if errors.Is(err, apperr.ErrNotFound) {
		return Caller{}, nil, apperr.ErrUnauthorized
	}
	if err != nil {
		return Caller{}, nil, fmt.Errorf("authenticate: %w", err)
	}
	if u.Status != StatusActive {
		return Caller{}, nil, apperr.ErrUnauthorized
	}
	revoked, err := s.store.FamilyRevoked(ctx, sid)
	if err != nil {
		return Caller{}, nil, fmt.Errorf("authenticate: %w", err)
	}
	if revoked {
		return Caller{}, nil, apperr.ErrUnauthorized
	}
	c := Caller{UserID: u.ID, Role: u.Role, Scope: u.Scope, SessionID: sid}
	if u.Scope.OrganisationID != "" {
		switch err := s.dir.CheckOrganisation(ctx, u.Scope.OrganisationID); {
		case errors.Is(err, apperr.ErrNotFound):
			c.OrganisationInactive = true
		case err != nil:
			return Caller{}, nil, fmt.Errorf("authenticate: %w", err)
		}
	}
	return c, u, nil
}

// Me returns the caller's own user.
func (s *Service) Me(ctx context.Context, c Caller) (*User, error) {
	return s.store.UserByID(ctx, c.UserID)
}

// ProfilePatch changes the caller's own profile; nil fields stay.
type ProfilePatch struct {
	DisplayName *string
	Phone       *string
}

// UpdateMe changes the caller's own display name and phone.
func (s *Service) UpdateMe(ctx context.Context, c Caller, p ProfilePatch) (*User, error) {
	u, err := s.store.UserByID(ctx, c.UserID)
	if err != nil {
		return nil, err
	}
	if p.DisplayName != nil {
		u.DisplayName = *p.DisplayName
	}
	if p.Phone != nil {
		u.Phone = *p.Phone
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	u.UpdatedAt = s.timestamp()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("update me: %w", err)
	}
	return u, nil
}

// ChangePassword replaces the caller's password after checking the current one,
// and revokes every other session of the caller.
func (s *Service) ChangePassword(ctx context.Context, c Caller, current, next string) error {
	// Guessing the current password with a stolen access token is throttled like login.
	if ok, wait := s.account.Allow("password-change:"+c.UserID, s.now()); !ok {
		return rateLimited(wait)
	}
	u, err := s.store.UserByID(ctx, c.UserID)
	if err != nil {
		return err
	}
	ok, err := s.check(ctx, u.PasswordHash, current)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	if !ok {
		return apperr.New(CodeWrongPassword, "Mật khẩu hiện tại không đúng.", "The current password is wrong.")
	}
	if err := ValidatePassword(next, u.Email); err != nil {
		return err
	}
	if u.PasswordHash, err = s.hash(ctx, next); err != nil {
		return err
	}
	u.UpdatedAt = s.timestamp()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return s.revokeSessions(ctx, u.ID, c.SessionID, "password_changed")
}

// revokeSessions revokes every token family of a user except keep.
func (s *Service) revokeSessions(ctx context.Context, userID, keep, reason string) error {
	fams, err := s.store.FamiliesOfUser(ctx, userID)
	if err != nil {
		return fmt.Errorf("list sessions: %w", err)
	}
	now := s.timestamp()
	for _, f := range fams {
		if f == keep {
			continue
		}
		if err := s.store.RevokeFamily(ctx, f, reason, now); err != nil {
			return fmt.Errorf("revoke session: %w", err)
		}
	}
	return nil
}

// NewUser is an account an admin creates.
type NewUser struct {
	Email          string
	DisplayName    string
	Phone          string
	Password       string
	Role           Role
	WardIDs        []string
	OrganisationID string
}

// CreateUser creates an account of any role. Only admins may.
func (s *Service) CreateUser(ctx context.Context, c Caller, n NewUser) (*User, error) {
	if !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	return s.create(ctx, n, StatusActive)
}

func (s *Service) create(ctx context.Context, n NewUser, status Status) (*User, error) {
	wards := slices.Clone(n.WardIDs)
	slices.Sort(wards)
	wards = slices.Compact(wards)
	if len(wards) == 0 {
		wards = nil
	}
	now := s.timestamp()
	u := &User{
		ID: uuid.Must(uuid.NewV7()).String(), Email: n.Email, EmailKey: NormaliseEmail(n.Email),
		DisplayName: n.DisplayName, Phone: n.Phone, Role: n.Role, Status: status,
		Scope:     Scope{WardIDs: wards, OrganisationID: n.OrganisationID},
		CreatedAt: now, UpdatedAt: now,
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if err := ValidatePassword(n.Password, n.Email); err != nil {
		return nil, err
	}
	if err := s.checkScope(ctx, u.Scope); err != nil {
		return nil, err
	}
	var err error
	if u.PasswordHash, err = s.hash(ctx, n.Password); err != nil {
		return nil, err
	}
	if err := s.store.CreateUser(ctx, u); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, errEmailTaken
		}
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

func (s *Service) checkScope(ctx context.Context, sc Scope) error {
	if len(sc.WardIDs) > 0 {
		if err := s.dir.CheckWards(ctx, sc.WardIDs); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return apperr.Invalid("ward_ids", "unknown_ward", "Có phường không tồn tại.", "A ward does not exist.")
			}
			return err
		}
	}
	if sc.OrganisationID != "" {
		if err := s.dir.CheckOrganisation(ctx, sc.OrganisationID); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				return apperr.Invalid("organisation_id", "unknown_organisation", "Tổ chức không tồn tại hoặc đã ngừng hoạt động.", "The organisation does not exist or is inactive.")
			}
			return err
		}
	}
	return nil
}

// userFilter narrows f to what the caller may see; ok is false when the caller may
// see no users at all.
func userFilter(c Caller, f UserFilter) (UserFilter, bool) {
	switch c.Role {
	case RoleAdmin:
		return f, true
	case RoleWardStaff:
		// Ward staff see the staff of their own wards.
		wards := c.Scope.WardIDs
		if len(f.AnyWardIDs) > 0 {
			wards = intersect(wards, f.AnyWardIDs)
			if len(wards) == 0 {
				return f, false
			}
		}
		f.AnyWardIDs = wards
		return f, true
	case RolePartner:
		// Partners see the people of their own organisation.
		if f.OrganisationID != "" && f.OrganisationID != c.Scope.OrganisationID {
			return f, false
		}
		f.OrganisationID = c.Scope.OrganisationID
		return f, true
	}
	return f, false
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// visible reports whether the caller may see u.
func visible(c Caller, u *User) bool {
	switch c.Role {
	case RoleAdmin:
		return true
	case RoleWardStaff:
		return len(intersect(c.Scope.WardIDs, u.Scope.WardIDs)) > 0
	case RolePartner:
		return u.Scope.OrganisationID == c.Scope.OrganisationID
	}
	return c.UserID == u.ID
}

// ListUsers lists the users the caller may see, scope applied in the store query.
func (s *Service) ListUsers(ctx context.Context, c Caller, f UserFilter, p page.Request) ([]*User, string, error) {
	f, ok := userFilter(c, f)
	if !ok {
		if c.Role == RoleVolunteer {
			return nil, "", apperr.ErrForbidden
		}
		return nil, "", nil
	}
	users, err := s.store.ListUsers(ctx, f, p)
	if err != nil {
		return nil, "", fmt.Errorf("list users: %w", err)
	}
	users, next := page.Cut(users, p, func(u *User) string { return u.ID })
	return users, next, nil
}

// User returns one user the caller may see; others are not found.
func (s *Service) User(ctx context.Context, c Caller, id string) (*User, error) {
	u, err := s.store.UserByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if !visible(c, u) {
		return nil, fmt.Errorf("user %s: %w", id, apperr.ErrNotFound)
	}
	return u, nil
}

// UserPatch changes a user; nil fields stay.
type UserPatch struct {
	DisplayName    *string
	Phone          *string
	Status         *Status
	Role           *Role
	WardIDs        *[]string
	OrganisationID *string
}

// UpdateUser changes a user. Admins may change anything but their own role and
// status; partners may only disable or re-enable volunteers of their organisation,
// and not re-enable one an admin disabled. Disabling a user ends all their
// sessions.
func (s *Service) UpdateUser(ctx context.Context, c Caller, id string, p UserPatch) (*User, error) {
	u, err := s.User(ctx, c, id)
	if err != nil {
		return nil, err
	}
	switch c.Role {
	case RoleAdmin:
		if u.ID == c.UserID && (p.Role != nil || p.Status != nil) {
			return nil, apperr.New(apperr.CodeForbidden, "Bạn không thể tự đổi vai trò hay khoá tài khoản của chính mình.", "You cannot change your own role or status.")
		}
	case RolePartner:
		if u.Role != RoleVolunteer || p.DisplayName != nil || p.Phone != nil || p.Role != nil || p.WardIDs != nil || p.OrganisationID != nil {
			return nil, apperr.ErrForbidden
		}
	default:
		return nil, apperr.ErrForbidden
	}
	was := u.Status
	if p.DisplayName != nil {
		u.DisplayName = *p.DisplayName
	}
	if p.Phone != nil {
		u.Phone = *p.Phone
	}
	if p.Status != nil && *p.Status != u.Status {
		switch *p.Status {
		case StatusDisabled:
			u.DisabledBy = c.Role
		case StatusActive:
			by := u.DisabledBy
			if by == "" {
				by = RoleAdmin // disabled before the role was recorded
			}
			if c.Role != RoleAdmin && by != c.Role {
				return nil, apperr.New(apperr.CodeForbidden, "Tài khoản này do quản trị viên quận khoá; chỉ quản trị viên mở lại được.",
					"An administrator disabled this account; only an administrator can enable it again.")
			}
			u.DisabledBy = ""
		}
		u.Status = *p.Status
	}
	if p.Role != nil {
		u.Role = *p.Role
	}
	if p.WardIDs != nil {
		w := slices.Clone(*p.WardIDs)
		slices.Sort(w)
		u.Scope.WardIDs = slices.Compact(w)
		if len(u.Scope.WardIDs) == 0 {
			u.Scope.WardIDs = nil
		}
	}
	if p.OrganisationID != nil {
		u.Scope.OrganisationID = *p.OrganisationID
	}
	if err := u.Validate(); err != nil {
		return nil, err
	}
	if p.WardIDs != nil || p.OrganisationID != nil {
		if err := s.checkScope(ctx, u.Scope); err != nil {
			return nil, err
		}
	}
	u.UpdatedAt = s.timestamp()
	if err := s.store.UpdateUser(ctx, u); err != nil {
		return nil, fmt.Errorf("update user: %w", err)
	}
	if was == StatusActive && u.Status == StatusDisabled {
		if err := s.revokeSessions(ctx, u.ID, "", "disabled"); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// Bootstrap creates the first admin when the store has no users. It returns
// whether it created one. Two instances starting at once create one admin: the
// email is a unique key.
func (s *Service) Bootstrap(ctx context.Context, email, password string) (bool, error) {
	n, err := s.store.CountUsers(ctx)
	if err != nil {
		return false, fmt.Errorf("bootstrap: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	_, err = s.create(ctx, NewUser{Email: email, DisplayName: "Quản trị viên", Password: password, Role: RoleAdmin}, StatusActive)
	if errors.Is(err, errEmailTaken) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("bootstrap admin %s: %w", email, err)
	}
	return true, nil
}

// CheckVolunteer returns an error wrapping apperr.ErrNotFound unless the user is an
// active volunteer (rosters assign only those).
func (s *Service) CheckVolunteer(ctx context.Context, userID string) error {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if u.Role != RoleVolunteer || u.Status != StatusActive {
		return fmt.Errorf("user %s is not an active volunteer: %w", userID, apperr.ErrNotFound)
	}
	return nil
}

// DisplayNames returns the display names of the users ids, by id (unknown ids
// are left out). It applies no scope: callers pass only ids a service has
// already shown the reader, such as the volunteers on a roster of their ward.
func (s *Service) DisplayNames(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	for _, id := range ids {
		if _, done := out[id]; done || id == "" {
			continue
		}
		u, err := s.store.UserByID(ctx, id)
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("display names: %w", err)
		}
		out[id] = u.DisplayName
	}
	return out, nil
}

// OrganisationVolunteers returns every volunteer of an organisation, active or
// not, by ID.
func (s *Service) OrganisationVolunteers(ctx context.Context, orgID string) ([]*User, error) {
	var out []*User
	p := page.Request{Limit: page.MaxLimit}
	for {
		us, err := s.store.ListUsers(ctx, UserFilter{Role: RoleVolunteer, OrganisationID: orgID}, p)
		if err != nil {
			return nil, fmt.Errorf("volunteers of %s: %w", orgID, err)
		}
		us, next := page.Cut(us, p, func(u *User) string { return u.ID })
		out = append(out, us...)
		if next == "" {
			return out, nil
		}
		if p, err = page.New(p.Limit, next); err != nil {
			return nil, err
		}
	}
}

// VolunteerOrganisation returns the organisation of a volunteer, active or not;
// a user who is not a volunteer is ErrNotFound.
func (s *Service) VolunteerOrganisation(ctx context.Context, userID string) (string, error) {
	u, err := s.store.UserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	if u.Role != RoleVolunteer {
		return "", fmt.Errorf("user %s is not a volunteer: %w", userID, apperr.ErrNotFound)
	}
	return u.Scope.OrganisationID, nil
}
