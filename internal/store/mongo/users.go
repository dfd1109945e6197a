package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ecitizen/internal/identity"
	"ecitizen/internal/page"
)

// userDoc is a user in the users collection; email_key has a unique index.
type userDoc struct {
	ID             string    `bson:"_id"`
	Email          string    `bson:"email"`
	EmailKey       string    `bson:"email_key"`
	DisplayName    string    `bson:"display_name"`
	Phone          string    `bson:"phone"`
	Role           string    `bson:"role"`
	WardIDs        []string  `bson:"ward_ids"` // sorted; [] when none
	OrganisationID string    `bson:"organisation_id"`
	Status         string    `bson:"status"`
	DisabledBy     string    `bson:"disabled_by,omitempty"`
	PasswordHash   string    `bson:"password_hash"`
	CreatedAt      time.Time `bson:"created_at"`
	UpdatedAt      time.Time `bson:"updated_at"`
}

// storedWardIDs is the ward_ids array to store: sorted, [] rather than null.
func storedWardIDs(ids []string) []string {
	if s := sortedOrNil(ids); s != nil {
		return s
	}
	return []string{}
}

func toUserDoc(u *identity.User) *userDoc {
	return &userDoc{
		ID:             u.ID,
		Email:          u.Email,
		EmailKey:       u.EmailKey,
		DisplayName:    u.DisplayName,
		Phone:          u.Phone,
		Role:           string(u.Role),
		WardIDs:        storedWardIDs(u.Scope.WardIDs),
		OrganisationID: u.Scope.OrganisationID,
		Status:         string(u.Status),
		DisabledBy:     string(u.DisabledBy),
		PasswordHash:   u.PasswordHash,
		CreatedAt:      u.CreatedAt,
		UpdatedAt:      u.UpdatedAt,
	}
}

func (d *userDoc) user() *identity.User {
	return &identity.User{
		ID:          d.ID,
		Email:       d.Email,
		EmailKey:    d.EmailKey,
		DisplayName: d.DisplayName,
		Phone:       d.Phone,
		Role:        identity.Role(d.Role),
		Scope: identity.Scope{
			WardIDs:        sortedOrNil(d.WardIDs),
			OrganisationID: d.OrganisationID,
		},
		Status:       identity.Status(d.Status),
		DisabledBy:   identity.Role(d.DisabledBy),
		PasswordHash: d.PasswordHash,
		CreatedAt:    utc(d.CreatedAt),
		UpdatedAt:    utc(d.UpdatedAt),
	}
}

// checkUserRefs checks that the organisation of a user's scope exists.
func (d *DB) checkUserRefs(ctx context.Context, u *identity.User) error {
	if u.Scope.OrganisationID == "" {
		return nil
	}
	return mustExist(ctx, d.organisations, "organisation", u.Scope.OrganisationID)
}

// CreateUser inserts u; a taken EmailKey (or ID) is ErrConflict, an unknown
// organisation ErrNotFound.
func (d *DB) CreateUser(ctx context.Context, u *identity.User) error {
	if err := d.checkUserRefs(ctx, u); err != nil {
		return err
	}
	_, err := d.users.InsertOne(ctx, toUserDoc(u))
	return wrapErr(err, "user "+u.ID)
}

// UserByID finds a user by ID.
func (d *DB) UserByID(ctx context.Context, id string) (*identity.User, error) {
	return d.findUser(ctx, byID(id), "user "+id)
}

// UserByEmail finds a user by the normalised email key.
func (d *DB) UserByEmail(ctx context.Context, emailKey string) (*identity.User, error) {
	return d.findUser(ctx, bson.D{{Key: "email_key", Value: emailKey}}, "user by email")
}

func (d *DB) findUser(ctx context.Context, filter bson.D, what string) (*identity.User, error) {
	doc, err := findOne[userDoc](ctx, d.users, filter, what)
	if err != nil {
		return nil, err
	}
	return doc.user(), nil
}

// UpdateUser replaces the mutable fields of u (all but ID, EmailKey and CreatedAt).
func (d *DB) UpdateUser(ctx context.Context, u *identity.User) error {
	if err := d.checkUserRefs(ctx, u); err != nil {
		return err
	}
	doc := toUserDoc(u)
	return updateByID(ctx, d.users, u.ID, bson.D{
		{Key: "email", Value: doc.Email},
		{Key: "display_name", Value: doc.DisplayName},
		{Key: "phone", Value: doc.Phone},
		{Key: "role", Value: doc.Role},
		{Key: "ward_ids", Value: doc.WardIDs},
		{Key: "organisation_id", Value: doc.OrganisationID},
		{Key: "status", Value: doc.Status},
		{Key: "disabled_by", Value: doc.DisabledBy},
		{Key: "password_hash", Value: doc.PasswordHash},
		{Key: "updated_at", Value: doc.UpdatedAt},
	}, "user "+u.ID)
}

// ListUsers returns users matching f ordered by ID, Limit+1 of them at most.
func (d *DB) ListUsers(ctx context.Context, f identity.UserFilter, p page.Request) ([]*identity.User, error) {
	filter := bson.D{}
	if f.Role != "" {
		filter = append(filter, bson.E{Key: "role", Value: string(f.Role)})
	}
	if f.OrganisationID != "" {
		filter = append(filter, bson.E{Key: "organisation_id", Value: f.OrganisationID})
	}
	if len(f.AnyWardIDs) > 0 {
		filter = append(filter, bson.E{Key: "ward_ids", Value: bson.D{{Key: "$in", Value: f.AnyWardIDs}}})
	}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	return findAll(ctx, d.users, filter, "_id", p, "list users", (*userDoc).user)
}

// CountUsers returns how many users exist.
func (d *DB) CountUsers(ctx context.Context) (int, error) {
	n, err := d.users.CountDocuments(ctx, bson.D{})
	if err != nil {
		return 0, wrapErr(err, "count users")
	}
	return int(n), nil
}

// ReplacePasswordHash sets the hash of user id to next while it is old; it
// sets no other field, so a concurrent change of the user is kept.
func (d *DB) ReplacePasswordHash(ctx context.Context, id, old, next string, at time.Time) error {
	_, err := d.users.UpdateOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "password_hash", Value: old}},
		bson.D{{Key: "$set", Value: bson.D{{Key: "password_hash", Value: next}, {Key: "updated_at", Value: at}}}})
	return wrapErr(err, "replace password hash of user "+id)
}
