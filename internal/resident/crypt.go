package resident

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Sealed is a personal number encrypted with AES-256-GCM: Box is the 12-byte
// random nonce followed by the ciphertext and tag; KeyID names the data key that
// sealed it, so a rotated key can re-encrypt in the background.
type Sealed struct {
	KeyID string
	Box   []byte
}

// KeyKind is the kind of a personal number that is unique among residents.
type KeyKind string

// Kinds of unique personal numbers.
const (
	KindPhone      KeyKind = "phone"
	KindNationalID KeyKind = "national_id"
)

// Key is a claim on a personal number: its kind and blind index, held by one
// resident. Stores keep (Kind, Index) unique.
type Key struct {
	Kind       KeyKind
	Index      string
	ResidentID string
}

// Crypter seals and opens personal numbers and computes their blind indexes.
type Crypter struct {
	aead  cipher.AEAD
	keyID string
	blind []byte
}

// errKeySize refuses a data key that is not 32 bytes.
var errKeySize = errors.New("resident: the data key must be 32 bytes")

// NewCrypter returns the Crypter of a 32-byte data key. The blind-index key is
// HMAC-SHA256(dataKey, "ecitizen blind index v1"); the key id is the first 8 bytes,
// in hex, of HMAC-SHA256(dataKey, "ecitizen key id v1").
func NewCrypter(dataKey []byte) (*Crypter, error) {
	if len(dataKey) != 32 {
		return nil, errKeySize
	}
	block, err := aes.NewCipher(dataKey)
	if err != nil {
		return nil, fmt.Errorf("resident: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("resident: %w", err)
	}
	return &Crypter{aead: aead, keyID: hex.EncodeToString(mac(dataKey, "ecitizen key id v1")[:8]),
		blind: mac(dataKey, "ecitizen blind index v1")}, nil
}

func mac(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// KeyID is the id of the data key.
func (c *Crypter) KeyID() string { return c.keyID }

// aad binds a ciphertext to its resident and field, so it cannot be moved to
// another row or field.
func aad(residentID string, kind KeyKind) []byte {
	return []byte("ecitizen resident v1|" + residentID + "|" + string(kind))
}

// Seal encrypts a normalised number of the resident.
func (c *Crypter) Seal(residentID string, kind KeyKind, plain string) (*Sealed, error) {
	nonce := make([]byte, c.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("resident: nonce: %w", err)
	}
	return &Sealed{KeyID: c.keyID, Box: c.aead.Seal(nonce, nonce, []byte(plain), aad(residentID, kind))}, nil
}

// errOpen is the failure to open a ciphertext (wrong key, row or field, or tampering).
var errOpen = errors.New("resident: a personal field cannot be decrypted")

// Open decrypts a number of the resident sealed by Seal.
func (c *Crypter) Open(residentID string, kind KeyKind, s *Sealed) (string, error) {
	n := c.aead.NonceSize()
	if s == nil || s.KeyID != c.keyID || len(s.Box) < n+c.aead.Overhead() {
		return "", errOpen
	}
	plain, err := c.aead.Open(nil, s.Box[:n], s.Box[n:], aad(residentID, kind))
	if err != nil {
		return "", errOpen
	}
	return string(plain), nil
}

// Index is the blind index of a normalised number: HMAC-SHA256 under the blind
// key over the kind and the value, in hex.
func (c *Crypter) Index(kind KeyKind, normalised string) string {
	return hex.EncodeToString(mac(c.blind, string(kind)+":"+normalised))
}
