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
	// Transient marks a claim under an older key of the ring: taken with the
	// others, so the write fails when a resident not yet re-encrypted holds the
	// number, and released when the write ends (a new value is indexed under the
	// current key only).
	Transient bool
}

// Crypter seals and opens personal numbers and computes their blind indexes
// with a key ring: the current data key seals new values and names the blind
// index a value is stored under; older keys still open what they sealed and
// find what is indexed under them until the rotation job has moved it.
type Crypter struct {
	current *dataKey
	keys    []*dataKey // current first, then the older keys in the order given
	byID    map[string]*dataKey
}

// dataKey is one key of the ring.
type dataKey struct {
	id    string
	aead  cipher.AEAD
	blind []byte
}

// Errors of the key ring.
var (
	errKeySize    = errors.New("resident: a data key must be 32 bytes")
	errKeyTwice   = errors.New("resident: a data key is given twice")
	errUnknownKey = errors.New("resident: the key that sealed a personal field is not in the data key ring")
	errOpen       = errors.New("resident: a personal field cannot be decrypted")
	ErrUnknownKey = errUnknownKey
)

// NewCrypter returns the Crypter of a ring of 32-byte data keys: current, then
// the older keys still accepted for reading. The blind-index key of each is
// HMAC-SHA256(key, "ecitizen blind index v1"); its key id the first 8 bytes, in
// hex, of HMAC-SHA256(key, "ecitizen key id v1"). A key given twice is refused.
func NewCrypter(current []byte, old ...[]byte) (*Crypter, error) {
	c := &Crypter{byID: map[string]*dataKey{}}
	for i, raw := range append([][]byte{current}, old...) {
		k, err := newDataKey(raw)
		if err != nil {
			return nil, err
		}
		if c.byID[k.id] != nil {
			return nil, errKeyTwice
		}
		if i == 0 {
			c.current = k
		}
		c.keys = append(c.keys, k)
		c.byID[k.id] = k
	}
	return c, nil
}

func newDataKey(raw []byte) (*dataKey, error) {
	if len(raw) != 32 {
		return nil, errKeySize
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, fmt.Errorf("resident: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("resident: %w", err)
	}
	return &dataKey{id: hex.EncodeToString(mac(raw, "ecitizen key id v1")[:8]), aead: aead,
		blind: mac(raw, "ecitizen blind index v1")}, nil
}

func mac(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// KeyID is the id of the current data key.
func (c *Crypter) KeyID() string { return c.current.id }

// KeyIDs are the ids of the ring's keys, the current one first.
func (c *Crypter) KeyIDs() []string {
	ids := make([]string, len(c.keys))
	for i, k := range c.keys {
		ids[i] = k.id
	}
	return ids
}

// aad binds a ciphertext to its resident and field, so it cannot be moved to
// another row or field.
func aad(residentID string, kind KeyKind) []byte {
	return []byte("ecitizen resident v1|" + residentID + "|" + string(kind))
}

// Seal encrypts a normalised number of the resident under the current key.
func (c *Crypter) Seal(residentID string, kind KeyKind, plain string) (*Sealed, error) {
	nonce := make([]byte, c.current.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("resident: nonce: %w", err)
	}
	return &Sealed{KeyID: c.current.id, Box: c.current.aead.Seal(nonce, nonce, []byte(plain), aad(residentID, kind))}, nil
}

// Open decrypts a number of the resident sealed by Seal under any key of the
// ring. A key id not in the ring is ErrUnknownKey (the error names the key id,
// never the value); a wrong row, field or tampering is another error.
func (c *Crypter) Open(residentID string, kind KeyKind, s *Sealed) (string, error) {
	if s == nil {
		return "", errOpen
	}
	k := c.byID[s.KeyID]
	if k == nil {
		return "", fmt.Errorf("%w (key id %q)", ErrUnknownKey, s.KeyID)
	}
	n := k.aead.NonceSize()
	if len(s.Box) < n+k.aead.Overhead() {
		return "", errOpen
	}
	plain, err := k.aead.Open(nil, s.Box[:n], s.Box[n:], aad(residentID, kind))
	if err != nil {
		return "", errOpen
	}
	return string(plain), nil
}

// Index is the blind index of a normalised number under the current key:
// HMAC-SHA256 under the blind key over the kind and the value, in hex.
func (c *Crypter) Index(kind KeyKind, normalised string) string {
	return c.current.index(kind, normalised)
}

func (k *dataKey) index(kind KeyKind, normalised string) string {
	return hex.EncodeToString(mac(k.blind, string(kind)+":"+normalised))
}

// Indexes are the blind indexes of a normalised number under every key of the
// ring, the current one first: a look-up matches any of them.
func (c *Crypter) Indexes(kind KeyKind, normalised string) []string {
	out := make([]string, len(c.keys))
	for i, k := range c.keys {
		out[i] = k.index(kind, normalised)
	}
	return out
}

// Claims are the claims a resident takes on a normalised number: the current
// key's index, held, and each older key's index, transient (see Key.Transient).
func (c *Crypter) Claims(residentID string, kind KeyKind, normalised string) []Key {
	out := make([]Key, len(c.keys))
	for i, idx := range c.Indexes(kind, normalised) {
		out[i] = Key{Kind: kind, Index: idx, ResidentID: residentID, Transient: i > 0}
	}
	return out
}
