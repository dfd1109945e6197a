package certificate

import (
	"context"

	"ecitizen/internal/page"
)

// Store is the storage of certificates and their revocations. Adapters return
// errors wrapping apperr.ErrNotFound for a missing record and apperr.ErrConflict
// for a taken unique key.
type Store interface {
	// Records are the names a statement copies (users, organisations, centres
	// and wards): the same store's other domains.
	Records
	// CreateCertificate inserts c (without its Revocation); a taken Code or
	// IssueKey is ErrConflict, an unknown user holder (Kind.UserHeld)
	// ErrNotFound. A resident holder is the caller's to check.
	CreateCertificate(ctx context.Context, c *Certificate) error
	// CertificateByCode returns the certificate of a canonical code, with its
	// revocation when it has one.
	CertificateByCode(ctx context.Context, code string) (*Certificate, error)
	// CertificateByIssueKey returns the certificate of an issue key, with its
	// revocation when it has one.
	CertificateByIssueKey(ctx context.Context, key string) (*Certificate, error)
	// CertificatesOfHolder returns a holder's certificates newest first (by ID
	// descending), with their revocations, strictly before p.After (an ID), at
	// most p.Limit+1 of them.
	CertificatesOfHolder(ctx context.Context, holderID string, p page.Request) ([]*Certificate, error)
	// RevokeCertificate inserts the revocation of r.Code: insert-only, so a second
	// one is ErrConflict, whatever the concurrency; an unknown code is ErrNotFound.
	RevokeCertificate(ctx context.Context, r *Revocation) error
}
