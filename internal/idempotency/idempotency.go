// Package idempotency lets clients retry a create safely. A request that carries
// an Idempotency-Key header (draft-ietf-httpapi-idempotency-key-header) claims the
// key for its user; the response it gets is stored, and a retry with the same key
// and the same request gets that first response again instead of creating
// something new. A retry while the first request still runs is refused
// (ErrInUse), as is the same key with another request (ErrReused). Only successes
// are kept: a refused request wrote nothing, so its retry simply runs again.
//
// The claim is an insert under the unique key (user, key), so of concurrent
// requests with one key exactly one runs, on every store; nothing is updated but
// the claimant's own record. Records live for a day; a claim whose request never
// finished (the process died) is abandoned after a few minutes and may be taken
// again.
//
// Files: idempotency.go (records, rules and the Store port).
package idempotency

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"ecitizen/internal/apperr"
)

// Lifetimes of records.
const (
	// TTL is how long a finished response is replayed.
	TTL = 24 * time.Hour
	// Abandoned is how long an unfinished claim blocks its key: longer than any
	// request may run (the server's write timeout).
	Abandoned = 2 * time.Minute
	// MaxKey is the longest key accepted.
	MaxKey = 255
)

// Error codes of idempotent requests.
const (
	CodeInUse  apperr.Code = "idempotency_key_in_use"
	CodeReused apperr.Code = "idempotency_key_reused"
)

var (
	// ErrInUse refuses a retry while the first request with its key still runs.
	ErrInUse = &apperr.Error{Code: CodeInUse, RetryAfter: 1,
		Vi: "Yêu cầu với Idempotency-Key này đang được xử lý; hãy thử lại sau giây lát.",
		En: "A request with this Idempotency-Key is still being processed; retry in a moment."}
	// ErrReused refuses a key sent again with a different request.
	ErrReused = &apperr.Error{Code: CodeReused,
		Vi: "Idempotency-Key này đã được dùng cho một yêu cầu khác.",
		En: "This Idempotency-Key was used for a different request."}
)

// Record is a claimed key and, once its request finished, the response to replay.
// (UserID, Key) is unique.
type Record struct {
	ID          string
	UserID      string
	Key         string
	Fingerprint string // of the request: method, path, query and body
	Done        bool
	Status      int
	ContentType string
	Location    string
	Body        []byte
	// Subject is the id of the person whose personal data Body holds (a
	// resident), or "": erasing the person deletes the record (Forget).
	Subject   string
	CreatedAt time.Time
}

// Store keeps records. Adapters return apperr.ErrConflict for a taken (UserID,
// Key) and apperr.ErrNotFound for a missing record.
type Store interface {
	AddIdempotencyRecord(ctx context.Context, r *Record) error
	IdempotencyRecord(ctx context.Context, userID, key string) (*Record, error)
	// FinishIdempotencyRecord stores r's response (Done, Status, ContentType,
	// Location, Body) on the record r.ID.
	FinishIdempotencyRecord(ctx context.Context, r *Record) error
	// DeleteIdempotencyRecord deletes the record id; a missing one is ErrNotFound.
	DeleteIdempotencyRecord(ctx context.Context, id string) error
	// DeleteIdempotencyRecordsBefore deletes records created before t and returns
	// how many it deleted.
	DeleteIdempotencyRecordsBefore(ctx context.Context, t time.Time) (int, error)
	// DeleteIdempotencyRecordsOf deletes the records whose Subject is subject
	// and returns how many it deleted.
	DeleteIdempotencyRecordsOf(ctx context.Context, subject string) (int, error)
}

// Service claims keys, and finishes or replays their requests.
type Service struct {
	store Store
	mac   []byte // keys request fingerprints
	now   func() time.Time
}

// Deps are what the idempotency service is built from.
type Deps struct {
	// Store keeps the claimed keys and their stored responses.
	Store Store
	// DataKey is the data key (ECITIZEN_DATA_KEY). Fingerprints are keyed with a
	// key derived from it, so a stored fingerprint cannot be used to test
	// guesses of a request body (a resident's phone number, say) without it.
	DataKey []byte
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// NewService returns the service.
func NewService(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	m := hmac.New(sha256.New, d.DataKey)
	m.Write([]byte("ecitizen idempotency v1"))
	return &Service{store: d.Store, mac: m.Sum(nil), now: d.Now}
}

// Fingerprint identifies a request by its method, path and query, and body.
func (s *Service) Fingerprint(method, requestURI string, body []byte) string {
	m := hmac.New(sha256.New, s.mac)
	m.Write([]byte(method + " " + requestURI + "\n"))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// ValidKey reports whether a key is 1 to MaxKey visible ASCII characters.
func ValidKey(key string) bool {
	if key == "" || len(key) > MaxKey {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// Begin claims key for the user's request with fingerprint. It returns either the
// claim (run the request, then Finish it) or the finished record to replay, or
// ErrInUse or ErrReused.
func (s *Service) Begin(ctx context.Context, userID, key, fingerprint string) (claim, replay *Record, err error) {
	for range 4 { // each turn ends one stale record or one racing delete
		now := s.now().UTC().Truncate(time.Millisecond)
		r := &Record{ID: uuid.Must(uuid.NewV7()).String(), UserID: userID, Key: key, Fingerprint: fingerprint, CreatedAt: now}
		err := s.store.AddIdempotencyRecord(ctx, r)
		if err == nil {
			return r, nil, nil
		}
		if !errors.Is(err, apperr.ErrConflict) {
			return nil, nil, fmt.Errorf("claim idempotency key: %w", err)
		}
		old, err := s.store.IdempotencyRecord(ctx, userID, key)
		if errors.Is(err, apperr.ErrNotFound) {
			continue // deleted meanwhile: claim again
		}
		if err != nil {
			return nil, nil, fmt.Errorf("read idempotency key: %w", err)
		}
		age := now.Sub(old.CreatedAt)
		if age >= TTL || (!old.Done && age >= Abandoned) {
			if err := s.store.DeleteIdempotencyRecord(ctx, old.ID); err != nil && !errors.Is(err, apperr.ErrNotFound) {
				return nil, nil, fmt.Errorf("expire idempotency key: %w", err)
			}
			continue
		}
		switch {
		case old.Fingerprint != fingerprint:
			return nil, nil, ErrReused
		case !old.Done:
			return nil, nil, ErrInUse
		}
		return nil, old, nil
	}
	return nil, nil, ErrInUse
}

// Finish stores the response of a claim. Only a success (2xx) is kept: a refusal
// or an error changed nothing, so the claim is released and a retry runs the
// request again (and may succeed now that, say, a place has freed up).
func (s *Service) Finish(ctx context.Context, claim *Record, status int, contentType, location string, body []byte) error {
	if status < 200 || status > 299 {
		return s.Release(ctx, claim)
	}
	claim.Done, claim.Status, claim.ContentType, claim.Location, claim.Body = true, status, contentType, location, body
	// claim.Subject, when set by the caller, is stored with the response.
	if err := s.store.FinishIdempotencyRecord(ctx, claim); err != nil {
		return fmt.Errorf("finish idempotency key: %w", err)
	}
	return nil
}

// Forget deletes every stored response that holds subject's personal data:
// erasing a resident calls it, so no copy of the record outlives the erasure.
func (s *Service) Forget(ctx context.Context, subject string) error {
	if subject == "" {
		return nil
	}
	if _, err := s.store.DeleteIdempotencyRecordsOf(ctx, subject); err != nil {
		return fmt.Errorf("forget stored responses: %w", err)
	}
	return nil
}

// Release gives a claim up, so the key may be used again.
func (s *Service) Release(ctx context.Context, claim *Record) error {
	if err := s.store.DeleteIdempotencyRecord(ctx, claim.ID); err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// Sweep deletes records older than TTL.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	return s.store.DeleteIdempotencyRecordsBefore(ctx, s.now().Add(-TTL))
}
