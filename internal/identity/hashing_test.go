package identity_test

import (
	"context"
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/store/storetest"
)

// TestSignInShedWhenHashingIsFull: while every turn to hash a password is
// taken (a burst of sign-ins), a sign-in waits a moment for one and is then
// answered store_busy (503 with Retry-After) — for a known and an unknown
// address alike, so the answer says nothing of which addresses have accounts —
// instead of queueing behind the burst; once turns are free, it signs in.
func TestSignInShedWhenHashingIsFull(t *testing.T) {
	st := storetest.SQLite().Open(t)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	tokens, err := identity.NewTokens(key, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := identity.NewService(identity.Deps{Store: st, Directory: directory.NewService(directory.Deps{Store: st}),
		Tokens: tokens, PasswordCost: identity.TestPasswordCost})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hash, err := identity.TestPasswordCost.Hash("mat-khau-dai-du-12")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	u := &identity.User{ID: "u-hashing", Email: "lan@example.vn", EmailKey: "lan@example.vn", DisplayName: "Nguyễn Thị Lan",
		Role: identity.RoleAdmin, Status: identity.StatusActive, PasswordHash: hash, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatal(err)
	}

	release := identity.HoldHashTurns(svc, 10*time.Millisecond)
	for _, email := range []string{"lan@example.vn", "nobody@example.vn"} {
		_, err := svc.Login(ctx, email, "mat-khau-dai-du-12", "192.0.2.1")
		var e *apperr.Error
		if !errors.As(err, &e) || e.Code != apperr.CodeStoreBusy || e.RetryAfter == 0 {
			t.Fatalf("%s while hashing is full: %v, want store_busy with Retry-After", email, err)
		}
	}
	release()
	if _, err := svc.Login(ctx, "lan@example.vn", "mat-khau-dai-du-12", "192.0.2.1"); err != nil {
		t.Fatalf("sign-in once turns are free: %v", err)
	}
	_, err = svc.Login(ctx, "nobody@example.vn", "mat-khau-dai-du-12", "192.0.2.1")
	if e := (*apperr.Error)(nil); !errors.As(err, &e) || e.Code != identity.CodeInvalidCredentials {
		t.Fatalf("unknown address once turns are free: %v", err)
	}
}
