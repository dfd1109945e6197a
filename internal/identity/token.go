package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Token settings (docs/api.md, "Sessions": access tokens last 15 minutes;
// refresh tokens are opaque and rotate on every use).
const (
	Issuer     = "ecitizen"
	Audience   = "ecitizen-api"
	AccessTTL  = 15 * time.Minute
	RefreshTTL = 30 * 24 * time.Hour
	// MinKeyBytes is the shortest accepted HMAC key (RFC 7518 §3.2: at least the hash size).
	MinKeyBytes = 32
)

// AccessClaims are the claims of an access JWT.
type AccessClaims struct {
	jwt.RegisteredClaims
	Role      Role   `json:"role"`
	Scope     Scope  `json:"scope"`
	SessionID string `json:"sid"`
	TokenUse  string `json:"token_use"`
}

// Tokens signs and verifies access JWTs (HS256 with a key of at least 32 bytes).
type Tokens struct {
	key    []byte
	parser *jwt.Parser
	now    func() time.Time
}

// NewTokens returns a signer/verifier for key; now may be nil for time.Now.
func NewTokens(key []byte, now func() time.Time) (*Tokens, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("JWT key has %d bytes, need at least %d", len(key), MinKeyBytes)
	}
	if now == nil {
		now = time.Now
	}
	return &Tokens{
		key: key,
		now: now,
		// The parser pins the algorithm and requires exp, iss and aud (RFC 8725).
		parser: jwt.NewParser(
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithIssuer(Issuer),
			jwt.WithAudience(Audience),
			jwt.WithExpirationRequired(),
			jwt.WithIssuedAt(),
			jwt.WithTimeFunc(now),
			jwt.WithLeeway(30*time.Second),
		),
	}, nil
}

// Issue returns a signed access token for u in session sid.
func (t *Tokens) Issue(u *User, sid string) (string, error) {
	now := t.now()
	claims := AccessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    Issuer,
			Subject:   u.ID,
			Audience:  jwt.ClaimStrings{Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(AccessTTL)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        uuid.NewString(),
		},
		Role:      u.Role,
		Scope:     u.Scope,
		SessionID: sid,
		TokenUse:  "access",
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.key)
	if err != nil {
		return "", fmt.Errorf("sign access token: %w", err)
	}
	return s, nil
}

// errBadToken is returned for every unacceptable token; callers answer 401 without detail.
var errBadToken = errors.New("invalid access token")

// Parse verifies an access token and returns its claims.
func (t *Tokens) Parse(token string) (*AccessClaims, error) {
	var c AccessClaims
	if _, err := t.parser.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.key, nil }); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadToken, err)
	}
	if c.TokenUse != "access" || c.Subject == "" || c.SessionID == "" {
		return nil, errBadToken
	}
	return &c, nil
}

// newRefreshToken returns a new opaque refresh token and the hash it is stored under.
func newRefreshToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("refresh token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashRefreshToken(token), nil
}

func hashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
