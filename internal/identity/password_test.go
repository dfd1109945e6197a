package identity

import (
	"strings"
	"testing"
)

func TestPassword(t *testing.T) {
	h, err := HashPassword("mật khẩu dài 2026")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("StoresOWASPParameters", func(t *testing.T) {
		if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
			t.Fatalf("hash %q", h)
		}
	})
	t.Run("Verifies", func(t *testing.T) {
		if ok, err := CheckPassword(h, "mật khẩu dài 2026"); !ok || err != nil {
			t.Fatalf("ok=%v err=%v", ok, err)
		}
	})
	t.Run("RejectsWrongPassword", func(t *testing.T) {
		if ok, _ := CheckPassword(h, "mat khau dai 2026"); ok {
			t.Fatal("a different password matched")
		}
	})
	t.Run("SaltsEachHash", func(t *testing.T) {
		h2, _ := HashPassword("mật khẩu dài 2026")
		if h2 == h {
			t.Fatal("two hashes of one password are equal")
		}
	})
	t.Run("ErrMalformedHash", func(t *testing.T) {
		for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=1,t=1,p=1$!!$a2V5"} {
			if ok, err := CheckPassword(bad, "x"); ok || err == nil {
				t.Errorf("%q: ok=%v err=%v", bad, ok, err)
			}
		}
	})
}

// TestHashCost: a cheaper cost is stored with its hash and verifies through
// the same CheckPassword; the zero cost is the default.
func TestHashCost(t *testing.T) {
	h, err := TestPasswordCost.Hash("mật khẩu")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if ok, err := CheckPassword(h, "mật khẩu"); !ok || err != nil {
		t.Fatalf("ok=%v err=%v", ok, err)
	}
	if ok, _ := CheckPassword(h, "mat khau"); ok {
		t.Fatal("a different password matched")
	}
	if h, _ := (PasswordCost{}).Hash("x"); !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("zero cost hashed as %q", h)
	}
}

func TestNormaliseInviteCode(t *testing.T) {
	if got := NormaliseInviteCode(" k7q2-m9xp 3d "); got != "K7Q2M9XP3D" {
		t.Fatalf("got %q", got)
	}
}

func TestUserValidate(t *testing.T) {
	valid := func() User {
		return User{Email: "a@example.vn", DisplayName: "An", Role: RoleWardStaff, Status: StatusActive, Scope: Scope{WardIDs: []string{"w"}}}
	}
	cases := map[string]func(u *User){
		"ErrEmail":            func(u *User) { u.Email = "not an email" },
		"ErrEmailWithName":    func(u *User) { u.Email = "An <a@example.vn>" },
		"ErrDisplayName":      func(u *User) { u.DisplayName = " " },
		"ErrPhone":            func(u *User) { u.Phone = "09x" },
		"ErrRole":             func(u *User) { u.Role = "root" },
		"ErrStatus":           func(u *User) { u.Status = "" },
		"ErrStaffWithoutWard": func(u *User) { u.Scope.WardIDs = nil },
		"ErrStaffWithOrg":     func(u *User) { u.Scope.OrganisationID = "o" },
		"ErrAdminWithScope":   func(u *User) { u.Role = RoleAdmin },
		"ErrVolunteerNoOrg":   func(u *User) { u.Role = RoleVolunteer },
	}
	u := valid()
	if err := u.Validate(); err != nil {
		t.Fatalf("valid user: %v", err)
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			u := valid()
			mutate(&u)
			if err := u.Validate(); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
