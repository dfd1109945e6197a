package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/certificate"
	"ecitizen/internal/page"
)

// Certificates and revocations, both insert-only:
//
//   - certificates: _id = the certificate's code (verification reads by _id),
//     plus a unique index on issue_key: a holder's re-issue of the same period
//     and total lands once, whatever the concurrency.
//   - certificate_revocations: _id = the certificate's code, so a certificate is
//     revoked once: of concurrent inserts exactly one lands.
//
// CreateCertificate checks a user holder (certificate.Kind.UserHeld; a resident
// holder is not checked here), RevokeCertificate the certificate, by _id, as the
// SQLite adapter does.

const (
	colCertificates = "certificates"
	colRevocations  = "certificate_revocations"
)

func (d *DB) certificates() *mongodrv.Collection { return d.db.Collection(colCertificates) }
func (d *DB) revocations() *mongodrv.Collection  { return d.db.Collection(colRevocations) }

type certificateDoc struct {
	Code           string       `bson:"_id"`
	ID             string       `bson:"id"`
	Kind           string       `bson:"kind"`
	IssueKey       string       `bson:"issue_key"`
	HolderID       string       `bson:"holder_id"`
	WardIDs        []string     `bson:"ward_ids"`
	OrganisationID string       `bson:"organisation_id"`
	IssuedBy       string       `bson:"issued_by"`
	IssuedAt       time.Time    `bson:"issued_at"`
	Statement      statementDoc `bson:"statement"`
}

type statementDoc struct {
	Hours    *hoursStatementDoc    `bson:"hours,omitempty"`
	ECitizen *ecitizenStatementDoc `bson:"ecitizen,omitempty"`
}

type ecitizenStatementDoc struct {
	ResidentID       string         `bson:"resident_id"`
	Initial          string         `bson:"initial"`
	WardNameVi       string         `bson:"ward_name_vi"`
	WardNameEn       string         `bson:"ward_name_en"`
	ReachedOn        string         `bson:"reached_on"`
	FrameworkVersion int            `bson:"framework_version"`
	Skills           []skillLineDoc `bson:"skills"`
}

type skillLineDoc struct {
	Code   string `bson:"code"`
	NameVi string `bson:"name_vi"`
	NameEn string `bson:"name_en"`
}

type hoursStatementDoc struct {
	HolderName       string          `bson:"holder_name"`
	OrganisationName string          `bson:"organisation_name"`
	From             string          `bson:"from"`
	To               string          `bson:"to"`
	TotalMinutes     int             `bson:"total_minutes"`
	Shifts           int             `bson:"shifts"`
	EntryMinutes     int             `bson:"entry_minutes"`
	Centres          []centreLineDoc `bson:"centres"`
}

type centreLineDoc struct {
	CentreName string `bson:"centre_name"`
	WardName   string `bson:"ward_name"`
	Minutes    int    `bson:"minutes"`
}

type revocationDoc struct {
	Code   string    `bson:"_id"`
	At     time.Time `bson:"at"`
	By     string    `bson:"by"`
	Reason string    `bson:"reason"`
}

func toCertificateDoc(c *certificate.Certificate) *certificateDoc {
	doc := &certificateDoc{Code: c.Code, ID: c.ID, Kind: string(c.Kind), IssueKey: c.IssueKey, HolderID: c.HolderID,
		WardIDs: append([]string{}, c.WardIDs...), OrganisationID: c.OrganisationID, IssuedBy: c.IssuedBy, IssuedAt: c.IssuedAt}
	if h := c.Statement.Hours; h != nil {
		doc.Statement.Hours = &hoursStatementDoc{HolderName: h.HolderName, OrganisationName: h.OrganisationName, From: h.From, To: h.To,
			TotalMinutes: h.TotalMinutes, Shifts: h.Shifts, EntryMinutes: h.EntryMinutes, Centres: []centreLineDoc{}}
		for _, l := range h.Centres {
			doc.Statement.Hours.Centres = append(doc.Statement.Hours.Centres, centreLineDoc(l))
		}
	}
	if e := c.Statement.ECitizen; e != nil {
		doc.Statement.ECitizen = &ecitizenStatementDoc{ResidentID: e.ResidentID, Initial: e.Initial, WardNameVi: e.WardNameVi,
			WardNameEn: e.WardNameEn, ReachedOn: e.ReachedOn, FrameworkVersion: e.FrameworkVersion, Skills: []skillLineDoc{}}
		for _, l := range e.Skills {
			doc.Statement.ECitizen.Skills = append(doc.Statement.ECitizen.Skills, skillLineDoc(l))
		}
	}
	return doc
}

func (d *certificateDoc) certificate() *certificate.Certificate {
	c := &certificate.Certificate{ID: d.ID, Code: d.Code, Kind: certificate.Kind(d.Kind), IssueKey: d.IssueKey,
		HolderID: d.HolderID, OrganisationID: d.OrganisationID, IssuedBy: d.IssuedBy, IssuedAt: utc(d.IssuedAt)}
	if c.IssuedBy == "" && c.Kind.UserHeld() {
		c.IssuedBy = c.HolderID // stored before issued_by: holders issued their own
	}
	if len(d.WardIDs) > 0 {
		c.WardIDs = d.WardIDs
	}
	if h := d.Statement.Hours; h != nil {
		c.Statement.Hours = &certificate.HoursStatement{HolderName: h.HolderName, OrganisationName: h.OrganisationName,
			From: h.From, To: h.To, TotalMinutes: h.TotalMinutes, Shifts: h.Shifts, EntryMinutes: h.EntryMinutes,
			Centres: []certificate.CentreLine{}}
		for _, l := range h.Centres {
			c.Statement.Hours.Centres = append(c.Statement.Hours.Centres, certificate.CentreLine(l))
		}
	}
	if e := d.Statement.ECitizen; e != nil {
		c.Statement.ECitizen = &certificate.ECitizenStatement{ResidentID: e.ResidentID, Initial: e.Initial, WardNameVi: e.WardNameVi,
			WardNameEn: e.WardNameEn, ReachedOn: e.ReachedOn, FrameworkVersion: e.FrameworkVersion, Skills: []certificate.SkillLine{}}
		for _, l := range e.Skills {
			c.Statement.ECitizen.Skills = append(c.Statement.ECitizen.Skills, certificate.SkillLine(l))
		}
	}
	return c
}

// CreateCertificate inserts a certificate; a taken code or issue key is
// ErrConflict, an unknown user holder ErrNotFound.
func (d *DB) CreateCertificate(ctx context.Context, c *certificate.Certificate) error {
	if c.Kind.UserHeld() {
		if err := mustExist(ctx, d.users, "holder", c.HolderID); err != nil {
			return err
		}
	}
	_, err := d.certificates().InsertOne(ctx, toCertificateDoc(c))
	return wrapErr(err, "certificate "+c.ID)
}

// CertificateByCode returns the certificate of a code, with its revocation.
func (d *DB) CertificateByCode(ctx context.Context, code string) (*certificate.Certificate, error) {
	return d.oneCertificate(ctx, byID(code), "certificate "+code)
}

// CertificateByIssueKey returns the certificate of an issue key, with its revocation.
func (d *DB) CertificateByIssueKey(ctx context.Context, key string) (*certificate.Certificate, error) {
	return d.oneCertificate(ctx, bson.D{{Key: "issue_key", Value: key}}, "certificate of issue key "+key)
}

func (d *DB) oneCertificate(ctx context.Context, filter bson.D, what string) (*certificate.Certificate, error) {
	doc, err := findOne[certificateDoc](ctx, d.certificates(), filter, what)
	if err != nil {
		return nil, err
	}
	c := doc.certificate()
	if err := d.withRevocations(ctx, []*certificate.Certificate{c}); err != nil {
		return nil, err
	}
	return c, nil
}

// CertificatesOfHolder returns a holder's certificates newest first, strictly
// before the id p.After.
func (d *DB) CertificatesOfHolder(ctx context.Context, holderID string, p page.Request) ([]*certificate.Certificate, error) {
	filter := bson.D{{Key: "holder_id", Value: holderID}}
	if p.After != "" {
		filter = append(filter, bson.E{Key: "id", Value: bson.D{{Key: "$lt", Value: p.After}}})
	}
	o := options.Find().SetSort(bson.D{{Key: "id", Value: -1}})
	if p.Limit > 0 {
		o.SetLimit(int64(p.Limit) + 1)
	}
	certs, err := find(ctx, d.certificates(), filter, o, "certificates of "+holderID, (*certificateDoc).certificate)
	if err != nil {
		return nil, err
	}
	return certs, d.withRevocations(ctx, certs)
}

// withRevocations sets the revocations of certs, read by _id.
func (d *DB) withRevocations(ctx context.Context, certs []*certificate.Certificate) error {
	if len(certs) == 0 {
		return nil
	}
	codes := make([]string, 0, len(certs))
	for _, c := range certs {
		codes = append(codes, c.Code)
	}
	var filter bson.D
	if len(codes) == 1 {
		filter = byID(codes[0])
	} else {
		filter = bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: codes}}}}
	}
	docs, err := findDocs[revocationDoc](ctx, d.revocations(), filter, options.Find(), "revocations")
	if err != nil {
		return err
	}
	byCode := map[string]*certificate.Revocation{}
	for _, r := range docs {
		byCode[r.Code] = &certificate.Revocation{Code: r.Code, At: utc(r.At), By: r.By, Reason: r.Reason}
	}
	for _, c := range certs {
		c.Revocation = byCode[c.Code]
	}
	return nil
}

// RevokeCertificate inserts a revocation; a second one is ErrConflict, an unknown
// code ErrNotFound.
func (d *DB) RevokeCertificate(ctx context.Context, r *certificate.Revocation) error {
	if err := mustExist(ctx, d.certificates(), "certificate", r.Code); err != nil {
		return err
	}
	_, err := d.revocations().InsertOne(ctx, &revocationDoc{Code: r.Code, At: r.At, By: r.By, Reason: r.Reason})
	return wrapErr(err, "revocation of certificate "+r.Code)
}
