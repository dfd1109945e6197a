package identity

import (
	"context"
	"time"

	"ecitizen/internal/page"
)

// Store is the storage identity needs. Adapters return errors wrapping
// apperr.ErrNotFound for a missing record and apperr.ErrConflict for a taken unique key.
type Store interface {
	// CreateUser inserts u; a taken EmailKey is ErrConflict.
	CreateUser(ctx context.Context, u *User) error
	UserByID(ctx context.Context, id string) (*User, error)
	// UserByEmail finds a user by the normalised email key.
	UserByEmail(ctx context.Context, emailKey string) (*User, error)
	// UpdateUser replaces the mutable fields of u (all but ID, EmailKey and CreatedAt).
	UpdateUser(ctx context.Context, u *User) error
	// ReplacePasswordHash sets user id's password hash to next (and UpdatedAt to
	// at) only while it is still old, and touches no other field; otherwise
	// nothing changes and it returns nil (someone changed the password since).
	ReplacePasswordHash(ctx context.Context, id, old, next string, at time.Time) error
	// ListUsers returns users matching f ordered by ID, Limit+1 of them at most.
	ListUsers(ctx context.Context, f UserFilter, p page.Request) ([]*User, error)
	// CountUsers returns how many users exist.
	CountUsers(ctx context.Context) (int, error)

	// CreateRefreshToken stores a new refresh token of a family.
	CreateRefreshToken(ctx context.Context, t *RefreshToken) error
	RefreshTokenByHash(ctx context.Context, hash string) (*RefreshToken, error)
	// SpendRefreshToken marks the token spent. It succeeds exactly once per token,
	// whatever the concurrency; later calls return ErrConflict.
	SpendRefreshToken(ctx context.Context, hash string, at time.Time) error
	// RevokeFamily revokes every token of a family. Idempotent.
	RevokeFamily(ctx context.Context, familyID, reason string, at time.Time) error
	// FamilyRevoked reports whether a family is revoked.
	FamilyRevoked(ctx context.Context, familyID string) (bool, error)
	// FamiliesOfUser returns the IDs of the user's token families that are not revoked.
	FamiliesOfUser(ctx context.Context, userID string) ([]string, error)

	// CreateInvite inserts an invite; a taken Code is ErrConflict.
	CreateInvite(ctx context.Context, inv *Invite) error
	InviteByID(ctx context.Context, id string) (*Invite, error)
	InviteByCode(ctx context.Context, code string) (*Invite, error)
	// UpdateInvite replaces an invite's mutable fields (Label, ExpiresAt, RevokedAt).
	UpdateInvite(ctx context.Context, inv *Invite) error
	// ListInvites returns an organisation's invites ordered by ID, Limit+1 at most.
	ListInvites(ctx context.Context, organisationID string, p page.Request) ([]*Invite, error)
}

// UserFilter selects users; empty fields match all. It is how scope reaches the query.
type UserFilter struct {
	Role           Role
	OrganisationID string
	// AnyWardIDs selects users whose scope shares a ward with this list.
	AnyWardIDs []string
	Status     Status
}

// RefreshToken is one opaque refresh token, stored only as the SHA-256 of its value.
type RefreshToken struct {
	Hash      string
	FamilyID  string
	UserID    string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// Invite is an organisation's code that lets volunteers register themselves.
type Invite struct {
	ID             string
	OrganisationID string
	Code           string // normalised: upper case, no separators
	Label          string
	CreatedBy      string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	RevokedAt      *time.Time
}
