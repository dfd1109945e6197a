package identity_test

import (
	"testing"
	"time"

	"ecitizen/internal/identity"
)

// Hot paths of every request: argon2id hashing (registration, password change),
// checking (login), and access-token signing (login, refresh) and verifying (every
// authenticated request). Run with: go test -run '^$' -bench . ./internal/identity

func BenchmarkHashPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := identity.HashPassword("matkhau-bench-2026"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheckPassword(b *testing.B) {
	hash, err := identity.HashPassword("matkhau-bench-2026")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ok, err := identity.CheckPassword(hash, "matkhau-bench-2026")
		if err != nil || !ok {
			b.Fatalf("CheckPassword = %v, %v", ok, err)
		}
	}
}

func benchTokens(b *testing.B) (*identity.Tokens, *identity.User) {
	b.Helper()
	tokens, err := identity.NewTokens([]byte("0123456789abcdef0123456789abcdef"), nil)
	if err != nil {
		b.Fatal(err)
	}
	u := &identity.User{
		ID: "0190f1a2-7b3c-7d4e-8f90-a1b2c3d4e5f6", Role: identity.RoleVolunteer, Status: identity.StatusActive,
		Scope:     identity.Scope{OrganisationID: "0190f1a2-0000-7000-8000-000000000001"},
		CreatedAt: time.Now(), UpdatedAt: time.Now(),
	}
	return tokens, u
}

func BenchmarkTokensIssue(b *testing.B) {
	tokens, u := benchTokens(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tokens.Issue(u, "session-1"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokensParse(b *testing.B) {
	tokens, u := benchTokens(b)
	tok, err := tokens.Issue(u, "session-1")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		c, err := tokens.Parse(tok)
		if err != nil || c.Subject != u.ID {
			b.Fatalf("Parse = %v, %v", c, err)
		}
	}
}
