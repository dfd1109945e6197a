package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"ecitizen/internal/identity"
	"ecitizen/internal/store/storetest"
)

func registration(code, email string) map[string]string {
	return map[string]string{"invite_code": code, "email": email, "display_name": "Trần Thị Bình", "password": "sinh-vien-2026"}
}

// TestRegisterWithInvite covers volunteer registration through invite codes.
func TestRegisterWithInvite(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			admin, _ := env.login(testAdminEmail, testAdminPassword)
			org := env.createOrganisation(admin, "Đại học Bách khoa Hà Nội")
			code := env.createInvite(admin, org)

			t.Run("CreatesVolunteerOfOrganisation", func(t *testing.T) {
				// Case, spaces and dashes in the code do not matter.
				loose := code[:4] + "-" + code[4:8] + " " + code[8:]
				rec := env.do("POST", "/api/v1/auth/register", "", registration(loose, "an@example.vn"))
				if rec.Code != http.StatusAccepted {
					t.Fatalf("register: %d %s", rec.Code, rec.Body)
				}
				access, _ := env.login("an@example.vn", "sinh-vien-2026")
				user := decode(t, env.do("GET", "/api/v1/me", access, nil))
				if user["role"] != "volunteer" || user["organisation_id"] != org || user["status"] != "active" {
					t.Fatalf("registered user %v", user)
				}
			})
			t.Run("RoleCannotBeChosen", func(t *testing.T) {
				req := map[string]any{"invite_code": code, "email": "x@example.vn", "display_name": "X", "password": "sinh-vien-2026", "role": "admin"}
				assertProblem(t, env.do("POST", "/api/v1/auth/register", "", req), http.StatusBadRequest, "invalid")
				env.assertNoUser("x@example.vn")
			})
			t.Run("ErrInviteInvalid", func(t *testing.T) {
				revoked := env.createInvite(admin, org)
				inv, err := env.store.InviteByCode(context.Background(), revoked)
				if err != nil {
					t.Fatal(err)
				}
				if rec := env.do("DELETE", "/api/v1/organisations/"+org+"/invites/"+inv.ID, admin, nil); rec.Code != http.StatusOK {
					t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
				}
				expired := env.createInvite(admin, org)
				exp, err := env.store.InviteByCode(context.Background(), expired)
				if err != nil {
					t.Fatal(err)
				}
				exp.ExpiresAt = time.Now().UTC().Add(-time.Minute).Truncate(time.Millisecond)
				if err := env.store.UpdateInvite(context.Background(), exp); err != nil {
					t.Fatal(err)
				}
				for name, c := range map[string]string{"Unknown": "ZZZZZZZZZZ", "Revoked": revoked, "Expired": expired, "Empty": " - "} {
					t.Run(name, func(t *testing.T) {
						email := "refused-" + name + "@example.vn"
						rec := env.do("POST", "/api/v1/auth/register", "", registration(c, email))
						assertProblem(t, rec, http.StatusBadRequest, "invite_invalid")
						env.assertNoUser(email)
					})
				}
			})
			t.Run("InactiveOrganisationRefused", func(t *testing.T) {
				org2 := env.createOrganisation(admin, "Đoàn Thanh niên phường")
				c2 := env.createInvite(admin, org2)
				if rec := env.do("PATCH", "/api/v1/organisations/"+org2, admin, map[string]any{"active": false}); rec.Code != http.StatusOK {
					t.Fatalf("deactivate: %d", rec.Code)
				}
				assertProblem(t, env.do("POST", "/api/v1/auth/register", "", registration(c2, "late@example.vn")), http.StatusBadRequest, "invite_invalid")
				env.assertNoUser("late@example.vn")
			})
			t.Run("ExistingAddressAnsweredAlike", func(t *testing.T) {
				// The same answer as for a new address; the account keeps its
				// password, and the new one does not sign in.
				fresh := env.do("POST", "/api/v1/auth/register", "", registration(code, "moi@example.vn"))
				taken := env.do("POST", "/api/v1/auth/register", "", map[string]string{"invite_code": code, "email": "AN@example.vn",
					"display_name": "Kẻ giả mạo", "password": "mat-khau-khac-2026"})
				if fresh.Code != http.StatusAccepted || taken.Code != fresh.Code || taken.Body.String() != fresh.Body.String() {
					t.Fatalf("new address %d %s, existing address %d %s", fresh.Code, fresh.Body, taken.Code, taken.Body)
				}
				env.login("an@example.vn", "sinh-vien-2026")
				assertProblem(t, env.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "an@example.vn", "password": "mat-khau-khac-2026"}),
					http.StatusUnauthorized, "invalid_credentials")
				access, _ := env.login("an@example.vn", "sinh-vien-2026")
				if me := decode(t, env.do("GET", "/api/v1/me", access, nil)); me["display_name"] != "Trần Thị Bình" {
					t.Fatalf("the existing account changed: %v", me)
				}
			})
			t.Run("HundredConcurrentSameEmailCreateOne", func(t *testing.T) {
				var wg sync.WaitGroup
				codes := make([]int, 100)
				for i := range codes {
					wg.Add(1)
					go func() {
						defer wg.Done()
						codes[i] = env.do("POST", "/api/v1/auth/register", "", registration(code, "cung-email@example.vn")).Code
					}()
				}
				wg.Wait()
				for _, c := range codes {
					if c != http.StatusAccepted { // one created, the others told the same
						t.Fatalf("unexpected status %d", c)
					}
				}
				users, err := env.store.ListUsers(context.Background(), identity.UserFilter{OrganisationID: org}, pageAll)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, u := range users {
					if u.EmailKey == "cung-email@example.vn" {
						n++
					}
				}
				if n != 1 {
					t.Fatalf("%d users stored with the email, want 1", n)
				}
			})
			t.Run("PartnerSeesOnlyOwnInvites", func(t *testing.T) {
				org3 := env.createOrganisation(admin, "Học viện Công nghệ Bưu chính Viễn thông")
				env.createUser(admin, map[string]any{"email": fmt.Sprintf("p-%s@example.vn", ad.Name), "display_name": "Đối tác", "password": "doi-tac-2026", "role": "partner", "organisation_id": org3})
				pt, _ := env.login(fmt.Sprintf("p-%s@example.vn", ad.Name), "doi-tac-2026")
				if rec := env.do("GET", "/api/v1/organisations/"+org3+"/invites", pt, nil); rec.Code != http.StatusOK {
					t.Fatalf("own invites: %d", rec.Code)
				}
				assertProblem(t, env.do("GET", "/api/v1/organisations/"+org+"/invites", pt, nil), http.StatusNotFound, "not_found")
			})
		})
	}
}
