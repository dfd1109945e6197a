package identity

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
	"ecitizen/internal/plaintext"
)

// Invite limits.
const (
	DefaultInviteTTL = 30 * 24 * time.Hour
	MaxInviteTTL     = 365 * 24 * time.Hour
	inviteAlphabet   = "ABCDEFGHJKMNPQRSTVWXYZ23456789" // no 0/O, 1/I/L, U: easy to read aloud
	inviteLen        = 10
)

var errInviteInvalid = apperr.New(CodeInviteInvalid, "Mã mời không hợp lệ, đã hết hạn hoặc đã bị thu hồi.", "The invite code is unknown, expired or revoked.")

// NormaliseInviteCode upper-cases a code and drops spaces and dashes, so
// "k7q2-m9xp-3d" and "K7Q2M9XP3D" are the same code.
func NormaliseInviteCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToUpper(strings.TrimSpace(code)))
}

func newInviteCode() (string, error) {
	b := make([]byte, inviteLen)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("invite code: %w", err)
	}
	for i := range b {
		// 256 % 30 != 0 gives a slight bias; at 10 characters the code space stays ~2^49.
		b[i] = inviteAlphabet[int(b[i])%len(inviteAlphabet)]
	}
	return string(b), nil
}

// CreateInvite issues an invite code for an organisation. Admins and the
// organisation's partners may; expiresAt zero means DefaultInviteTTL from now.
func (s *Service) CreateInvite(ctx context.Context, c Caller, orgID, label string, expiresAt time.Time) (*Invite, error) {
	if !c.HasOrganisation(orgID) {
		return nil, fmt.Errorf("organisation %s: %w", orgID, apperr.ErrNotFound)
	}
	if err := s.dir.CheckOrganisation(ctx, orgID); err != nil {
		return nil, err
	}
	now := s.timestamp()
	if expiresAt.IsZero() {
		expiresAt = now.Add(DefaultInviteTTL)
	}
	expiresAt = expiresAt.UTC().Truncate(time.Millisecond)
	if !expiresAt.After(now) || expiresAt.After(now.Add(MaxInviteTTL)) {
		return nil, apperr.Invalid("expires_at", "range", "Hạn dùng phải trong tương lai và không quá một năm.", "The expiry must be in the future and within a year.")
	}
	if utf8.RuneCountInString(label) > 120 {
		return nil, apperr.Invalid("label", "max", "Nhãn tối đa 120 ký tự.", "The label has 120 characters at most.")
	}
	if err := plaintext.Line("label", label); err != nil {
		return nil, err
	}
	for range 3 { // a collision in ~2^49 codes is unlikely; retry on one anyway
		code, err := newInviteCode()
		if err != nil {
			return nil, err
		}
		inv := &Invite{ID: uuid.Must(uuid.NewV7()).String(), OrganisationID: orgID, Code: code, Label: label,
			CreatedBy: c.UserID, CreatedAt: now, ExpiresAt: expiresAt}
		err = s.store.CreateInvite(ctx, inv)
		if errors.Is(err, apperr.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("create invite: %w", err)
		}
		return inv, nil
	}
	return nil, errors.New("create invite: no free code after 3 tries")
}

// ListInvites lists an organisation's invites, newest last.
func (s *Service) ListInvites(ctx context.Context, c Caller, orgID string, p page.Request) ([]*Invite, string, error) {
	if !c.HasOrganisation(orgID) {
		return nil, "", fmt.Errorf("organisation %s: %w", orgID, apperr.ErrNotFound)
	}
	invs, err := s.store.ListInvites(ctx, orgID, p)
	if err != nil {
		return nil, "", fmt.Errorf("list invites: %w", err)
	}
	invs, next := page.Cut(invs, p, func(i *Invite) string { return i.ID })
	return invs, next, nil
}

// RevokeInvite revokes an invite; revoking twice keeps the first time.
func (s *Service) RevokeInvite(ctx context.Context, c Caller, orgID, id string) (*Invite, error) {
	if !c.HasOrganisation(orgID) {
		return nil, fmt.Errorf("organisation %s: %w", orgID, apperr.ErrNotFound)
	}
	inv, err := s.store.InviteByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if inv.OrganisationID != orgID {
		return nil, fmt.Errorf("invite %s: %w", id, apperr.ErrNotFound)
	}
	if inv.RevokedAt == nil {
		now := s.timestamp()
		inv.RevokedAt = &now
		if err := s.store.UpdateInvite(ctx, inv); err != nil {
			return nil, fmt.Errorf("revoke invite: %w", err)
		}
	}
	return inv, nil
}

// Registration is a volunteer signing up with an invite code.
type Registration struct {
	Code        string
	Email       string
	DisplayName string
	Phone       string
	Password    string
}

// Register creates a volunteer of the invite's organisation, who then signs in.
// An address that already has an account is answered the same way (nil), after
// the same work (the password is checked and hashed either way), and nothing
// changes: the answer does not tell who has an account. It is throttled per
// client address like login.
func (s *Service) Register(ctx context.Context, r Registration, clientAddr string) error {
	_, err := s.register(ctx, r, clientAddr)
	if errors.Is(err, errEmailTaken) {
		s.log.InfoContext(ctx, "registration for an address that has an account: nothing changed")
		return nil
	}
	return err
}

func (s *Service) register(ctx context.Context, r Registration, clientAddr string) (*User, error) {
	if ok, wait := s.addr.Allow(clientAddr, s.now()); !ok {
		return nil, rateLimited(wait)
	}
	code := NormaliseInviteCode(r.Code)
	if code == "" || len(code) > 32 {
		return nil, errInviteInvalid
	}
	inv, err := s.store.InviteByCode(ctx, code)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, errInviteInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	if inv.RevokedAt != nil || !s.timestamp().Before(inv.ExpiresAt) {
		return nil, errInviteInvalid
	}
	if err := s.dir.CheckOrganisation(ctx, inv.OrganisationID); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil, errInviteInvalid
		}
		return nil, err
	}
	return s.create(ctx, NewUser{Email: r.Email, DisplayName: r.DisplayName, Phone: r.Phone, Password: r.Password,
		Role: RoleVolunteer, OrganisationID: inv.OrganisationID}, StatusActive)
}
