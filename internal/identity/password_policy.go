package identity

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"

	"ecitizen/internal/apperr"
)

// A new password (OWASP ASVS 2.1, NIST SP 800-63B 5.1.1.2) has 10 to 128
// characters, any characters, no composition rule; and it is refused when it is
// one of the commonest or easiest to guess: zxcvbn (its lists of common
// passwords, English words and names, keyboard walks, sequences, repeats and
// dates, plus commonVi) estimates fewer than minGuesses guesses, or it holds
// the account's e-mail address or the name before the @.

// minGuesses is inside zxcvbn's score 2 ("somewhat guessable": safe from an
// online attack, which login throttling slows further), high enough to refuse
// the common word-plus-digits shapes such as "Password@123" (1.01e6 guesses).
const minGuesses = 1e7

//go:embed common_passwords_vi.txt
var commonViText string

// commonVi are the words of common_passwords_vi.txt.
var commonVi = func() []string {
	var out []string
	for _, l := range strings.Split(commonViText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}()

// ValidatePassword checks a new password for the account of email (may be
// empty): its length, that it is not among the easiest to guess, and that it
// does not hold the e-mail address. Each refusal is a field error of
// "password" with its own code.
func ValidatePassword(pw, email string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPassword || n > MaxPassword {
		return apperr.Invalid("password", "password_length",
			"Mật khẩu phải có từ 10 đến 128 ký tự.",
			"The password must have 10 to 128 characters.")
	}
	lower := strings.ToLower(pw)
	email = NormaliseEmail(email)
	local, _, _ := strings.Cut(email, "@")
	if email != "" && (strings.Contains(lower, email) || (utf8.RuneCountInString(local) >= 3 && strings.Contains(lower, local))) {
		return apperr.Invalid("password", "password_has_email",
			"Mật khẩu không được chứa email của bạn.",
			"The password must not contain your email address.")
	}
	inputs := commonVi
	if local != "" {
		inputs = append(append([]string{}, commonVi...), local, email)
	}
	// zxcvbn reads runes; spaces count as characters like any other.
	if strings.TrimFunc(pw, unicode.IsSpace) == "" || zxcvbn.PasswordStrength(lower, inputs).Guesses < minGuesses {
		return apperr.Invalid("password", "password_common",
			"Mật khẩu này quá phổ biến hoặc quá dễ đoán. Hãy dùng một cụm từ dài hơn mà người khác khó đoán, ví dụ vài từ không liên quan.",
			"This password is too common or too easy to guess. Use a longer phrase others would not guess, such as a few unrelated words.")
	}
	return nil
}
