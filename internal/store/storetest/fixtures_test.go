package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
	"ecitizen/internal/store"
)

// storeCase is one rule of the suite, run against a fresh, empty store.
type storeCase struct {
	name string
	run  func(t *testing.T, st store.Store)
}

// runCases runs every case against a fresh store of every adapter, as
// Test<Group>/<adapter>/<case>.
func runCases(t *testing.T, cases []storeCase) {
	for _, ad := range Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.run(t, ad.Open(t)) })
			}
		})
	}
}

// newID returns a fresh UUIDv7 string.
func newID(t testing.TB) string {
	t.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		t.Fatalf("uuid: %v", err)
	}
	return id.String()
}

// now is the current time as callers pass it to stores: UTC, whole milliseconds.
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantErr fails unless errors.Is(err, target).
func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want one wrapping %v", err, target)
	}
}

// same fails unless got and want are deeply equal.
func same(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %s\n want %s", what, show(got), show(want))
	}
}

// show prints values behind pointers, one level deep inside slices.
func show(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		s := "["
		for i := range rv.Len() {
			s += "\n   " + show(rv.Index(i).Interface())
		}
		return s + "]"
	}
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return fmt.Sprintf("&%+v", rv.Elem().Interface())
	}
	return fmt.Sprintf("%+v", v)
}

// allPages reads every page of a list with page size limit, through page.Cut and
// page.New exactly as a handler does, and returns the items and the page count.
// It fails when a store returns more than Limit+1 items.
func allPages[T any](t *testing.T, limit int, key func(T) string, fetch func(page.Request) ([]T, error)) ([]T, int) {
	t.Helper()
	r := page.Request{Limit: limit}
	var all []T
	for n := 1; n <= 100; n++ {
		items, err := fetch(r)
		must(t, err)
		if len(items) > limit+1 {
			t.Fatalf("page %d: store returned %d items for limit %d", n, len(items), limit)
		}
		items, next := page.Cut(items, r, key)
		all = append(all, items...)
		if next == "" {
			return all, n
		}
		r, err = page.New(limit, next)
		must(t, err)
	}
	t.Fatal("more than 100 pages")
	return nil, 0
}

// keys maps items to their keys.
func keys[T any](items []T, key func(T) string) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, key(it))
	}
	return out
}

func userID(u *identity.User) string                  { return u.ID }
func inviteID(i *identity.Invite) string              { return i.ID }
func wardCode(w *directory.Ward) string               { return w.Code }
func centreID(c *directory.Centre) string             { return c.ID }
func organisationID(o *directory.Organisation) string { return o.ID }

// Fixtures. newX builds a valid record without storing it; mkX stores one and
// fails the test on error. Options edit the record before it is stored.

func newOrganisation(t testing.TB, opts ...func(*directory.Organisation)) *directory.Organisation {
	ts := now()
	o := &directory.Organisation{
		ID: newID(t), Kind: directory.KindUniversity, Name: "Đại học Bách khoa",
		ContactName: "Nguyễn Văn A", ContactEmail: "lienhe@example.edu.vn", ContactPhone: "+84901234567",
		Active: true, CreatedAt: ts, UpdatedAt: ts,
	}
	for _, f := range opts {
		f(o)
	}
	return o
}

func mkOrganisation(t testing.TB, st store.Store, opts ...func(*directory.Organisation)) *directory.Organisation {
	t.Helper()
	o := newOrganisation(t, opts...)
	must(t, st.CreateOrganisation(t.Context(), o))
	return o
}

func newWard(t testing.TB, code string, opts ...func(*directory.Ward)) *directory.Ward {
	ts := now()
	w := &directory.Ward{
		ID: newID(t), Code: code, NameVi: "Phường " + code, NameEn: "Ward " + code,
		Status: directory.WardActive, CreatedAt: ts, UpdatedAt: ts,
	}
	for _, f := range opts {
		f(w)
	}
	return w
}

func mkWard(t testing.TB, st store.Store, code string, opts ...func(*directory.Ward)) *directory.Ward {
	t.Helper()
	w := newWard(t, code, opts...)
	must(t, st.CreateWard(t.Context(), w))
	return w
}

func newCentre(t testing.TB, wardID string, opts ...func(*directory.Centre)) *directory.Centre {
	ts := now()
	c := &directory.Centre{
		ID: newID(t), WardID: wardID, Name: "Nhà văn hoá khu phố 1", Address: "12 Lê Lợi",
		Hours: directory.OpeningHours{
			Mon: []directory.Span{{Open: "08:00", Close: "11:30"}, {Open: "13:30", Close: "17:00"}},
			Sat: []directory.Span{{Open: "08:00", Close: "12:00"}},
		},
		Seats: 12, Active: true, CreatedAt: ts, UpdatedAt: ts,
	}
	for _, f := range opts {
		f(c)
	}
	return c
}

func mkCentre(t testing.TB, st store.Store, wardID string, opts ...func(*directory.Centre)) *directory.Centre {
	t.Helper()
	c := newCentre(t, wardID, opts...)
	must(t, st.CreateCentre(t.Context(), c))
	return c
}

// newUser builds an active admin with a unique email; options set role and scope.
func newUser(t testing.TB, opts ...func(*identity.User)) *identity.User {
	ts := now()
	id := newID(t)
	u := &identity.User{
		ID: id, Email: "User." + id + "@Example.org", EmailKey: "user." + id + "@example.org",
		DisplayName: "Trần Thị B", Phone: "+84912345678", Role: identity.RoleAdmin,
		Status: identity.StatusActive, PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA",
		CreatedAt: ts, UpdatedAt: ts,
	}
	for _, f := range opts {
		f(u)
	}
	return u
}

func mkUser(t testing.TB, st store.Store, opts ...func(*identity.User)) *identity.User {
	t.Helper()
	u := newUser(t, opts...)
	must(t, st.CreateUser(t.Context(), u))
	return u
}

// wardStaff makes a user ward staff of wardIDs (pass them sorted to compare).
func wardStaff(wardIDs ...string) func(*identity.User) {
	return func(u *identity.User) {
		u.Role, u.Scope = identity.RoleWardStaff, identity.Scope{WardIDs: wardIDs}
	}
}

// member makes a user a partner or volunteer of an organisation.
func member(role identity.Role, orgID string) func(*identity.User) {
	return func(u *identity.User) {
		u.Role, u.Scope = role, identity.Scope{OrganisationID: orgID}
	}
}

func newToken(t testing.TB, userID, familyID string) *identity.RefreshToken {
	ts := now()
	return &identity.RefreshToken{
		Hash: "sha256-" + newID(t), FamilyID: familyID, UserID: userID,
		IssuedAt: ts, ExpiresAt: ts.Add(30 * 24 * time.Hour),
	}
}

func mkToken(t testing.TB, st store.Store, userID, familyID string) *identity.RefreshToken {
	t.Helper()
	tok := newToken(t, userID, familyID)
	must(t, st.CreateRefreshToken(t.Context(), tok))
	return tok
}

func newInvite(t testing.TB, orgID, createdBy string, opts ...func(*identity.Invite)) *identity.Invite {
	ts := now()
	id := newID(t)
	inv := &identity.Invite{
		ID: id, OrganisationID: orgID, Code: "INV" + id[len(id)-12:], Label: "Khoá K67",
		CreatedBy: createdBy, CreatedAt: ts, ExpiresAt: ts.Add(14 * 24 * time.Hour),
	}
	for _, f := range opts {
		f(inv)
	}
	return inv
}

func mkInvite(t testing.TB, st store.Store, orgID, createdBy string, opts ...func(*identity.Invite)) *identity.Invite {
	t.Helper()
	inv := newInvite(t, orgID, createdBy, opts...)
	must(t, st.CreateInvite(t.Context(), inv))
	return inv
}
