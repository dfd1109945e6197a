package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Fixed argon2id parameters of every hash.
const (
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16
)

// PasswordCost is the argon2id work of new password hashes. It is stored with
// each hash, so changing it later keeps old hashes verifiable.
type PasswordCost struct {
	MemoryKiB uint32
	Time      uint32
}

// DefaultPasswordCost is the OWASP Password Storage Cheat Sheet's first
// recommendation (m=19 MiB, t=2, p=1): the cost of every running service.
var DefaultPasswordCost = PasswordCost{MemoryKiB: 19 * 1024, Time: 2}

// TestPasswordCost is far below any safe cost. Only test environments that
// create and sign in many accounts use it (each hash costs microseconds instead
// of tens of milliseconds of CPU); the hashing code is the same.
var TestPasswordCost = PasswordCost{MemoryKiB: 64, Time: 1}

// orDefault is c, or DefaultPasswordCost when c is the zero value.
func (c PasswordCost) orDefault() PasswordCost {
	if c.MemoryKiB == 0 || c.Time == 0 {
		return DefaultPasswordCost
	}
	return c
}

// HashPassword returns a PHC-formatted argon2id hash of pw at DefaultPasswordCost.
func HashPassword(pw string) (string, error) { return DefaultPasswordCost.Hash(pw) }

// Hash returns a PHC-formatted argon2id hash of pw at cost c, with a random salt.
func (c PasswordCost) Hash(pw string) (string, error) {
	c = c.orDefault()
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, c.Time, c.MemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, c.MemoryKiB, c.Time, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// hashed reports whether hash was made at cost c (and is well formed).
func (c PasswordCost) hashed(hash string) bool {
	parts := strings.Split(hash, "$")
	return len(parts) == 6 && parts[1] == "argon2id" && parts[2] == fmt.Sprintf("v=%d", argon2.Version) &&
		parts[3] == fmt.Sprintf("m=%d,t=%d,p=%d", c.MemoryKiB, c.Time, argonThreads)
}

var errBadHash = errors.New("malformed password hash")

// CheckPassword reports whether pw matches the PHC-formatted argon2id hash, in
// constant time for a given hash.
func CheckPassword(hash, pw string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	var mem, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &mem, &t, &p); err != nil || mem == 0 || t == 0 || p == 0 {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, t, mem, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
