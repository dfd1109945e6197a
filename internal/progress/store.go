package progress

import "context"

// Store is the storage of progress records and their revocations, both
// insert-only. Adapters return errors wrapping apperr.ErrNotFound for a missing
// record and apperr.ErrConflict for a taken key.
type Store interface {
	// CreateProgressRecord inserts r; a taken ID is ErrConflict, an unknown
	// resident ErrNotFound.
	CreateProgressRecord(ctx context.Context, r *Record) error
	// ProgressRecordByID returns a record and its revocation (nil when it has none).
	ProgressRecordByID(ctx context.Context, id string) (*Record, *Revocation, error)
	// ProgressOfResident returns all of a resident's records (oldest first, by
	// At then ID) and the revocations of them.
	ProgressOfResident(ctx context.Context, residentID string) ([]Record, []Revocation, error)
	// RevokeProgressRecord inserts the revocation of r.RecordID, keyed by it: a
	// record is revoked once, so a second revocation is ErrConflict whatever
	// the concurrency; an unknown record is ErrNotFound.
	RevokeProgressRecord(ctx context.Context, r *Revocation) error
	// CreateResidentQuizAttempt inserts an assisted quiz attempt; a taken ID is
	// ErrConflict, an unknown resident ErrNotFound.
	CreateResidentQuizAttempt(ctx context.Context, a *QuizAttempt) error
	// ResidentQuizAttempts returns a resident's attempts, oldest first.
	ResidentQuizAttempts(ctx context.Context, residentID string) ([]*QuizAttempt, error)
}
