package directory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
)

// Error codes of ward merges.
const (
	// CodeWardMerged refuses a merge of (or into) a ward merged already, and any new
	// resident, centre or shift in a ward that is merged or being merged.
	CodeWardMerged apperr.Code = "ward_merged"
	// CodeWardMergeSelf refuses merging a ward into itself.
	CodeWardMergeSelf apperr.Code = "ward_merge_self"
)

// ErrWardMerged is the refusal to use a ward that is merged or being merged.
// Stores return it (wrapped) when a ward of a new record is no longer active.
var ErrWardMerged = &apperr.Error{Code: CodeWardMerged,
	Vi: "Phường đã được sáp nhập (hoặc đang sáp nhập) vào phường khác.",
	En: "The ward has been merged (or is being merged) into another ward."}

var errMergeSelf = &apperr.Error{Code: CodeWardMergeSelf,
	Vi: "Không thể sáp nhập một phường vào chính nó.", En: "A ward cannot be merged into itself."}

// WardMerge records that ward From was merged into ward Into: insert-only, keyed by
// From, so a ward is merged once.
type WardMerge struct {
	From   string
	Into   string
	At     time.Time // the merge time: shifts starting from then move to Into
	By     string
	Reason string
}

// MaxMergeReason bounds a merge's reason.
const MaxMergeReason = 500

// MergeStore is the storage of ward merges. A merge moves the residents,
// centres (and their devices), shift series, shifts and training sessions
// starting at or after the merge time from From to Into, and gives the ward staff
// of From the ward Into too. Rows that record the past (attendance, work
// entries, no-shows, device usage, audit records, residents' origin ward) keep
// From.
type MergeStore interface {
	// MergeWard records m and moves everything, ending with From merged (status,
	// merged_into, merged_at). A ward with a merge record already is ErrConflict;
	// From or Into not active (merged, or being merged) is ErrWardMerged, and then
	// nothing is stored. SQLite does it in one transaction; MongoDB runs
	// BeginWardMerge then FinishWardMerge.
	MergeWard(ctx context.Context, m *WardMerge) error
	// BeginWardMerge inserts the merge record (ErrConflict when From has one) and
	// marks From merging; it moves nothing. Errors as MergeWard.
	BeginWardMerge(ctx context.Context, m *WardMerge) error
	// FinishWardMerge moves what is left in From to Into and marks From merged;
	// it reports whether this call marked it (false: it was merged already). It
	// is idempotent: it finishes a merge that stopped half-way, and calls of one
	// merge run one at a time, so one of them marks it.
	FinishWardMerge(ctx context.Context, m *WardMerge) (bool, error)
	// WardMergeOf returns the merge record of a ward, ErrNotFound when none.
	WardMergeOf(ctx context.Context, fromWardID string) (*WardMerge, error)
	// WardMerges returns every merge record ordered by time, then From.
	WardMerges(ctx context.Context) ([]*WardMerge, error)
}

// MergeWard merges ward fromID into ward intoID. Admins only. A merge that was
// recorded but whose move did not finish (the server stopped half-way) is
// finished by calling it again with the same ward; once finished, a second merge
// is ward_merged. Unknown wards are not found.
func (s *Service) MergeWard(ctx context.Context, c identity.Caller, fromID, intoID, reason string) (*WardMerge, error) {
	if !c.IsAdmin() {
		return nil, apperr.ErrForbidden
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxMergeReason {
		return nil, apperr.Invalid("reason", "length", "Lý do từ 1 đến 500 ký tự.", "A reason has 1 to 500 characters.")
	}
	from, err := s.store.WardByID(ctx, fromID)
	if err != nil {
		return nil, err
	}
	if fromID == intoID {
		return nil, errMergeSelf
	}
	into, err := s.store.WardByID(ctx, intoID)
	if err != nil {
		return nil, err
	}
	old, err := s.store.WardMergeOf(ctx, fromID)
	switch {
	case err == nil:
		if old.Into != intoID || from.Status == WardMerged {
			return nil, ErrWardMerged
		}
		// Recorded, not finished: continue the move. When another request finished
		// it meanwhile (the first one, still moving when this one came), this one
		// is refused as a second merge would be.
		done, err := s.store.FinishWardMerge(ctx, old)
		if err != nil {
			return nil, fmt.Errorf("finish merge of ward %s: %w", fromID, err)
		}
		if !done {
			return nil, ErrWardMerged
		}
		return old, s.finishChain(ctx, intoID)
	case !errors.Is(err, apperr.ErrNotFound):
		return nil, fmt.Errorf("merge of ward %s: %w", fromID, err)
	}
	if from.Status != WardActive || into.Status != WardActive {
		return nil, ErrWardMerged
	}
	m := &WardMerge{From: fromID, Into: intoID, At: s.timestamp(), By: c.UserID, Reason: reason}
	if err := s.store.MergeWard(ctx, m); err != nil {
		if errors.Is(err, apperr.ErrConflict) {
			return nil, ErrWardMerged
		}
		if e := apperr.As(err); e != nil && e.Code == CodeWardMerged {
			return nil, ErrWardMerged
		}
		return nil, fmt.Errorf("merge ward %s into %s: %w", fromID, intoID, err)
	}
	return m, s.finishChain(ctx, intoID)
}

// finishChain finishes the merges of the ward a merge went into, and of the ward
// that one went into, and so on: B merged into C while A moved into B must not
// leave A's rows in B.
func (s *Service) finishChain(ctx context.Context, wardID string) error {
	for range 16 {
		m, err := s.store.WardMergeOf(ctx, wardID)
		if errors.Is(err, apperr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("merge of ward %s: %w", wardID, err)
		}
		if _, err := s.store.FinishWardMerge(ctx, m); err != nil {
			return fmt.Errorf("finish merge of ward %s: %w", wardID, err)
		}
		wardID = m.Into
	}
	return nil
}

// WardMerges lists every ward merge by time.
func (s *Service) WardMerges(ctx context.Context) ([]*WardMerge, error) {
	ms, err := s.store.WardMerges(ctx)
	if err != nil {
		return nil, fmt.Errorf("list ward merges: %w", err)
	}
	return ms, nil
}

// MergedInto returns the ids of every ward merged into wardID, directly or through
// a chain (C into A, A into B: both for B), sorted; merges still moving count.
func (s *Service) MergedInto(ctx context.Context, wardID string) ([]string, error) {
	ms, err := s.WardMerges(ctx)
	if err != nil {
		return nil, err
	}
	return mergedInto(ms, wardID), nil
}

// mergedInto walks the merge records backwards from wardID.
func mergedInto(ms []*WardMerge, wardID string) []string {
	into := map[string][]string{}
	for _, m := range ms {
		into[m.Into] = append(into[m.Into], m.From)
	}
	seen := map[string]bool{wardID: true}
	out := []string{}
	queue := []string{wardID}
	for len(queue) > 0 {
		w := queue[0]
		queue = queue[1:]
		for _, f := range into[w] {
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
				queue = append(queue, f)
			}
		}
	}
	slices.Sort(out)
	return out
}

// CheckWardOpen returns ErrWardMerged unless the ward exists and is active
// (ErrNotFound when missing): no new resident, centre or shift goes to a ward
// that is merged or being merged.
func (s *Service) CheckWardOpen(ctx context.Context, wardID string) error {
	w, err := s.store.WardByID(ctx, wardID)
	if err != nil {
		return err
	}
	if w.Status != WardActive {
		return ErrWardMerged
	}
	return nil
}
