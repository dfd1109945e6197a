package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"ecitizen/internal/certificate"
	"ecitizen/internal/page"
)

// Certificates and revocations: a certificate's code and issue key are UNIQUE; a
// revocation's primary key is the certificate's code, so it is inserted once;
// its foreign key makes an unknown code ErrNotFound. The statement is stored as
// JSON (statementJSON), the ward ids as a JSON array. A holder may be a user or a
// resident (certificate.Kind.UserHeld); a user holder must exist, checked by the
// insert itself.

const certificateColumns = `SELECT c.id, c.code, c.kind, c.issue_key, c.holder_id, c.ward_ids,
	c.organisation_id, c.issued_by, c.issued_at, c.statement, r.revoked_at, r.revoked_by, r.reason
	FROM certificates c LEFT JOIN certificate_revocations r ON r.code = c.code`

// statementJSON is the stored form of a statement.
type statementJSON struct {
	Hours    *hoursJSON    `json:"hours,omitempty"`
	ECitizen *ecitizenJSON `json:"ecitizen,omitempty"`
}

type ecitizenJSON struct {
	ResidentID       string      `json:"resident_id"`
	Initial          string      `json:"initial"`
	WardNameVi       string      `json:"ward_name_vi"`
	WardNameEn       string      `json:"ward_name_en"`
	ReachedOn        string      `json:"reached_on"`
	FrameworkVersion int         `json:"framework_version"`
	Skills           []skillJSON `json:"skills"`
}

type skillJSON struct {
	Code   string `json:"code"`
	NameVi string `json:"name_vi"`
	NameEn string `json:"name_en"`
}

type hoursJSON struct {
	HolderName       string       `json:"holder_name"`
	OrganisationName string       `json:"organisation_name"`
	From             string       `json:"from"`
	To               string       `json:"to"`
	TotalMinutes     int          `json:"total_minutes"`
	Shifts           int          `json:"shifts"`
	EntryMinutes     int          `json:"entry_minutes"`
	Centres          []centreJSON `json:"centres"`
}

type centreJSON struct {
	CentreName string `json:"centre_name"`
	WardName   string `json:"ward_name"`
	Minutes    int    `json:"minutes"`
}

func encodeStatement(s certificate.Statement) ([]byte, error) {
	var out statementJSON
	if h := s.Hours; h != nil {
		out.Hours = &hoursJSON{HolderName: h.HolderName, OrganisationName: h.OrganisationName, From: h.From, To: h.To,
			TotalMinutes: h.TotalMinutes, Shifts: h.Shifts, EntryMinutes: h.EntryMinutes, Centres: []centreJSON{}}
		for _, l := range h.Centres {
			out.Hours.Centres = append(out.Hours.Centres, centreJSON(l))
		}
	}
	if e := s.ECitizen; e != nil {
		out.ECitizen = &ecitizenJSON{ResidentID: e.ResidentID, Initial: e.Initial, WardNameVi: e.WardNameVi, WardNameEn: e.WardNameEn,
			ReachedOn: e.ReachedOn, FrameworkVersion: e.FrameworkVersion, Skills: []skillJSON{}}
		for _, l := range e.Skills {
			out.ECitizen.Skills = append(out.ECitizen.Skills, skillJSON(l))
		}
	}
	return json.Marshal(out)
}

func decodeStatement(b []byte) (certificate.Statement, error) {
	var in statementJSON
	if err := json.Unmarshal(b, &in); err != nil {
		return certificate.Statement{}, err
	}
	var s certificate.Statement
	if h := in.Hours; h != nil {
		s.Hours = &certificate.HoursStatement{HolderName: h.HolderName, OrganisationName: h.OrganisationName, From: h.From, To: h.To,
			TotalMinutes: h.TotalMinutes, Shifts: h.Shifts, EntryMinutes: h.EntryMinutes, Centres: []certificate.CentreLine{}}
		for _, l := range h.Centres {
			s.Hours.Centres = append(s.Hours.Centres, certificate.CentreLine(l))
		}
	}
	if e := in.ECitizen; e != nil {
		s.ECitizen = &certificate.ECitizenStatement{ResidentID: e.ResidentID, Initial: e.Initial, WardNameVi: e.WardNameVi,
			WardNameEn: e.WardNameEn, ReachedOn: e.ReachedOn, FrameworkVersion: e.FrameworkVersion, Skills: []certificate.SkillLine{}}
		for _, l := range e.Skills {
			s.ECitizen.Skills = append(s.ECitizen.Skills, certificate.SkillLine(l))
		}
	}
	return s, nil
}

// CreateCertificate inserts a certificate; a taken code or issue key is
// ErrConflict, an unknown user holder ErrNotFound (one statement: the row is
// inserted only when the kind's holder is not a user or the user exists).
func (db *DB) CreateCertificate(ctx context.Context, c *certificate.Certificate) error {
	args, err := certificateArgs(c)
	if err != nil {
		return err
	}
	res, err := db.w.ExecContext(ctx, insertCertificate, args...)
	if err != nil {
		return wrap(err, "create certificate %s", c.ID)
	}
	if n, err := res.RowsAffected(); err != nil {
		return wrap(err, "create certificate %s", c.ID)
	} else if n == 0 {
		return notFound("holder of certificate", c.HolderID)
	}
	return nil
}

const insertCertificate = `INSERT INTO certificates (id, code, kind, issue_key, holder_id,
	ward_ids, organisation_id, issued_by, issued_at, statement)
	SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? WHERE NOT ? OR EXISTS (SELECT 1 FROM users WHERE id = ?)`

// certificateArgs are the values of insertCertificate.
func certificateArgs(c *certificate.Certificate) ([]any, error) {
	st, err := encodeStatement(c.Statement)
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.ID, err)
	}
	wards, err := json.Marshal(append([]string{}, c.WardIDs...))
	if err != nil {
		return nil, fmt.Errorf("certificate %s: %w", c.ID, err)
	}
	return []any{c.ID, c.Code, string(c.Kind), c.IssueKey, c.HolderID, string(wards), c.OrganisationID, c.IssuedBy, ms(c.IssuedAt), string(st),
		c.Kind.UserHeld(), c.HolderID}, nil
}

// CertificateByCode returns the certificate of a code, with its revocation.
func (db *DB) CertificateByCode(ctx context.Context, code string) (*certificate.Certificate, error) {
	c, err := scanCertificate(db.queryRow(ctx, certificateColumns+` WHERE c.code = ?`, code))
	return c, one(err, "certificate", code)
}

// CertificateByIssueKey returns the certificate of an issue key, with its revocation.
func (db *DB) CertificateByIssueKey(ctx context.Context, key string) (*certificate.Certificate, error) {
	c, err := scanCertificate(db.queryRow(ctx, certificateColumns+` WHERE c.issue_key = ?`, key))
	return c, one(err, "certificate of issue key", key)
}

// CertificatesOfHolder returns a holder's certificates newest first, strictly
// before the id p.After.
func (db *DB) CertificatesOfHolder(ctx context.Context, holderID string, p page.Request) ([]*certificate.Certificate, error) {
	var w where
	w.add(`c.holder_id = ?`, holderID)
	if p.After != "" {
		w.add(`c.id < ?`, p.After)
	}
	return list(ctx, db, "certificates", certificateColumns+w.String()+` ORDER BY c.id DESC LIMIT ?`,
		append(w.args, limit(p.Limit)), scanCertificate)
}

// RevokeCertificate inserts a revocation; a second one is ErrConflict, an unknown
// code ErrNotFound.
func (db *DB) RevokeCertificate(ctx context.Context, r *certificate.Revocation) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO certificate_revocations (code, revoked_at, revoked_by, reason)
		VALUES (?, ?, ?, ?)`, r.Code, ms(r.At), r.By, r.Reason)
	return wrap(err, "revoke certificate %s", r.Code)
}

func scanCertificate(s scanner) (*certificate.Certificate, error) {
	var (
		c                 certificate.Certificate
		wards, st         string
		issued            int64
		revokedAt         sql.NullInt64
		revokedBy, reason sql.NullString
	)
	if err := s.Scan(&c.ID, &c.Code, &c.Kind, &c.IssueKey, &c.HolderID, &wards, &c.OrganisationID, &c.IssuedBy, &issued, &st,
		&revokedAt, &revokedBy, &reason); err != nil {
		return nil, err
	}
	c.IssuedAt = at(issued)
	if err := json.Unmarshal([]byte(wards), &c.WardIDs); err != nil {
		return nil, fmt.Errorf("certificate %s: ward ids: %w", c.ID, err)
	}
	statement, err := decodeStatement([]byte(st))
	if err != nil {
		return nil, fmt.Errorf("certificate %s: statement: %w", c.ID, err)
	}
	c.Statement = statement
	if revokedAt.Valid {
		c.Revocation = &certificate.Revocation{Code: c.Code, At: at(revokedAt.Int64), By: revokedBy.String, Reason: reason.String}
	}
	return &c, nil
}
