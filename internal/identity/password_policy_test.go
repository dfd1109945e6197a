package identity

import (
	"testing"

	"ecitizen/internal/apperr"
)

// TestValidatePassword: the commonest passwords, keyboard walks, sequences,
// blanks, Vietnamese favourites and passwords holding the e-mail are refused
// with their own field codes; ordinary passphrases pass.
func TestValidatePassword(t *testing.T) {
	const email = "an.nguyen@example.vn"
	for pw, code := range map[string]string{
		"short":                   "password_length",
		"          ":              "password_common",
		"1234567890":              "password_common",
		"password12":              "password_common",
		"Password@123":            "password_common",
		"qwertyuiop":              "password_common",
		"aaaaaaaaaaaa":            "password_common",
		"matkhau123":              "password_common",
		"anhyeuem2026":            "password_common",
		"hanoi12345":              "password_common",
		"an.nguyen@example.vn":    "password_has_email",
		"AN.NGUYEN@example.vn!!":  "password_has_email",
		"an.nguyen-2026-mat-khau": "password_has_email",
	} {
		err := ValidatePassword(pw, email)
		e := apperr.As(err)
		if e == nil || len(e.Fields) != 1 || e.Fields[0].Field != "password" || e.Fields[0].Code != code || e.Fields[0].Vi == "" || e.Fields[0].En == "" {
			t.Errorf("%q: %v, want field error %s", pw, err, code)
		}
	}
	for _, pw := range []string{"mat-khau-2026", "tinh-nguyen-2026", "toi yeu ha noi 2026", "correct horse battery", "Cây tre làng tôi 1975", "nguyen-2026-mat-khau"} {
		if err := ValidatePassword(pw, email); err != nil {
			t.Errorf("%q refused: %v", pw, err)
		}
	}
}
