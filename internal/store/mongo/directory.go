package mongo

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"ecitizen/internal/directory"
	"ecitizen/internal/page"
)

// wardDoc is a ward; code has a unique index and is the order of lists.
type wardDoc struct {
	ID         string     `bson:"_id"`
	Code       string     `bson:"code"`
	NameVi     string     `bson:"name_vi"`
	NameEn     string     `bson:"name_en"`
	Status     string     `bson:"status"`
	MergedInto string     `bson:"merged_into"`
	MergedAt   *time.Time `bson:"merged_at"`
	CreatedAt  time.Time  `bson:"created_at"`
	UpdatedAt  time.Time  `bson:"updated_at"`
}

func (d *wardDoc) ward() *directory.Ward {
	return &directory.Ward{
		ID:         d.ID,
		Code:       d.Code,
		NameVi:     d.NameVi,
		NameEn:     d.NameEn,
		Status:     directory.WardStatus(d.Status),
		MergedInto: d.MergedInto,
		MergedAt:   utcPtr(d.MergedAt),
		CreatedAt:  utc(d.CreatedAt),
		UpdatedAt:  utc(d.UpdatedAt),
	}
}

// utcPtr returns *t in UTC, nil for nil.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// spanDoc is one opening span of a day.
type spanDoc struct {
	Open  string `bson:"open"`
	Close string `bson:"close"`
}

// hoursDoc is a week of opening spans. A nil day is stored as null and an empty one
// as [], so both read back as they were written.
type hoursDoc struct {
	Mon []spanDoc `bson:"mon"`
	Tue []spanDoc `bson:"tue"`
	Wed []spanDoc `bson:"wed"`
	Thu []spanDoc `bson:"thu"`
	Fri []spanDoc `bson:"fri"`
	Sat []spanDoc `bson:"sat"`
	Sun []spanDoc `bson:"sun"`
}

func toSpanDocs(spans []directory.Span) []spanDoc {
	if spans == nil {
		return nil
	}
	out := make([]spanDoc, len(spans))
	for i, s := range spans {
		out[i] = spanDoc{Open: s.Open, Close: s.Close}
	}
	return out
}

func fromSpanDocs(spans []spanDoc) []directory.Span {
	if spans == nil {
		return nil
	}
	out := make([]directory.Span, len(spans))
	for i, s := range spans {
		out[i] = directory.Span{Open: s.Open, Close: s.Close}
	}
	return out
}

func toHoursDoc(h directory.OpeningHours) hoursDoc {
	return hoursDoc{
		Mon: toSpanDocs(h.Mon), Tue: toSpanDocs(h.Tue), Wed: toSpanDocs(h.Wed),
		Thu: toSpanDocs(h.Thu), Fri: toSpanDocs(h.Fri), Sat: toSpanDocs(h.Sat),
		Sun: toSpanDocs(h.Sun),
	}
}

func (h hoursDoc) hours() directory.OpeningHours {
	return directory.OpeningHours{
		Mon: fromSpanDocs(h.Mon), Tue: fromSpanDocs(h.Tue), Wed: fromSpanDocs(h.Wed),
		Thu: fromSpanDocs(h.Thu), Fri: fromSpanDocs(h.Fri), Sat: fromSpanDocs(h.Sat),
		Sun: fromSpanDocs(h.Sun),
	}
}

// centreDoc is a community centre; ward_id must name an existing ward.
type centreDoc struct {
	ID        string    `bson:"_id"`
	WardID    string    `bson:"ward_id"`
	Name      string    `bson:"name"`
	Address   string    `bson:"address"`
	Hours     hoursDoc  `bson:"hours"`
	Seats     int       `bson:"seats"`
	Active    bool      `bson:"active"`
	CreatedAt time.Time `bson:"created_at"`
	UpdatedAt time.Time `bson:"updated_at"`
}

func (d *centreDoc) centre() *directory.Centre {
	return &directory.Centre{
		ID:        d.ID,
		WardID:    d.WardID,
		Name:      d.Name,
		Address:   d.Address,
		Hours:     d.Hours.hours(),
		Seats:     d.Seats,
		Active:    d.Active,
		CreatedAt: utc(d.CreatedAt),
		UpdatedAt: utc(d.UpdatedAt),
	}
}

// organisationDoc is a partner organisation.
type organisationDoc struct {
	ID           string    `bson:"_id"`
	Kind         string    `bson:"kind"`
	Name         string    `bson:"name"`
	ContactName  string    `bson:"contact_name"`
	ContactEmail string    `bson:"contact_email"`
	ContactPhone string    `bson:"contact_phone"`
	Active       bool      `bson:"active"`
	CreatedAt    time.Time `bson:"created_at"`
	UpdatedAt    time.Time `bson:"updated_at"`
}

func (d *organisationDoc) organisation() *directory.Organisation {
	return &directory.Organisation{
		ID:           d.ID,
		Kind:         directory.OrganisationKind(d.Kind),
		Name:         d.Name,
		ContactName:  d.ContactName,
		ContactEmail: d.ContactEmail,
		ContactPhone: d.ContactPhone,
		Active:       d.Active,
		CreatedAt:    utc(d.CreatedAt),
		UpdatedAt:    utc(d.UpdatedAt),
	}
}

// --- wards ---

// checkMergedInto checks that the ward a merged ward names exists.
func (d *DB) checkMergedInto(ctx context.Context, w *directory.Ward) error {
	if w.MergedInto == "" {
		return nil
	}
	return mustExist(ctx, d.wards, "ward", w.MergedInto)
}

// CreateWard inserts w; a taken Code (or ID) is ErrConflict, an unknown MergedInto
// ErrNotFound.
func (d *DB) CreateWard(ctx context.Context, w *directory.Ward) error {
	if err := d.checkMergedInto(ctx, w); err != nil {
		return err
	}
	_, err := d.wards.InsertOne(ctx, &wardDoc{
		ID:         w.ID,
		Code:       w.Code,
		NameVi:     w.NameVi,
		NameEn:     w.NameEn,
		Status:     string(w.Status),
		MergedInto: w.MergedInto,
		MergedAt:   w.MergedAt,
		CreatedAt:  w.CreatedAt,
		UpdatedAt:  w.UpdatedAt,
	})
	return wrapErr(err, "ward "+w.ID)
}

// UpdateWard replaces a ward's mutable fields; a taken Code is ErrConflict, an
// unknown MergedInto ErrNotFound.
func (d *DB) UpdateWard(ctx context.Context, w *directory.Ward) error {
	ctx, markDone, merr := d.markCoverage(ctx, w.ID)
	if merr != nil {
		return merr
	}
	defer markDone()
	if err := d.checkMergedInto(ctx, w); err != nil {
		return err
	}
	return updateByID(ctx, d.wards, w.ID, bson.D{
		{Key: "code", Value: w.Code},
		{Key: "name_vi", Value: w.NameVi},
		{Key: "name_en", Value: w.NameEn},
		{Key: "status", Value: string(w.Status)},
		{Key: "merged_into", Value: w.MergedInto},
		{Key: "merged_at", Value: w.MergedAt},
		{Key: "updated_at", Value: w.UpdatedAt},
	}, "ward "+w.ID)
}

// WardByID finds a ward by ID.
func (d *DB) WardByID(ctx context.Context, id string) (*directory.Ward, error) {
	doc, err := findByID[wardDoc](ctx, d.wards, id, "ward "+id)
	if err != nil {
		return nil, err
	}
	return doc.ward(), nil
}

// ListWards returns wards ordered by Code (page key), Limit+1 at most.
func (d *DB) ListWards(ctx context.Context, f directory.WardFilter, p page.Request) ([]*directory.Ward, error) {
	filter := bson.D{}
	if f.Status != "" {
		filter = append(filter, bson.E{Key: "status", Value: string(f.Status)})
	}
	return findAll(ctx, d.wards, filter, "code", p, "list wards", (*wardDoc).ward)
}

// --- centres ---

// CreateCentre inserts c; its ward must exist (ErrNotFound otherwise). A centre
// of a ward merged meanwhile goes to the ward it was merged into (c.WardID is
// changed; see merges.go).
func (d *DB) CreateCentre(ctx context.Context, c *directory.Centre) error {
	ward, err := d.followWard(ctx, c.WardID)
	if err != nil {
		return err
	}
	c.WardID = ward
	_, err = d.centres.InsertOne(ctx, &centreDoc{
		ID:        c.ID,
		WardID:    c.WardID,
		Name:      c.Name,
		Address:   c.Address,
		Hours:     toHoursDoc(c.Hours),
		Seats:     c.Seats,
		Active:    c.Active,
		CreatedAt: c.CreatedAt,
		UpdatedAt: c.UpdatedAt,
	})
	if err != nil {
		return wrapErr(err, "centre "+c.ID)
	}
	c.WardID, err = d.settle(ctx, d.centres, c.ID, c.WardID)
	return err
}

// UpdateCentre replaces a centre's mutable fields; its ward must exist. A centre
// read before its ward was merged goes to the ward it was merged into (c.WardID
// is changed; see merges.go).
func (d *DB) UpdateCentre(ctx context.Context, c *directory.Centre) error {
	ward, err := d.followWard(ctx, c.WardID)
	if err != nil {
		return err
	}
	c.WardID = ward
	if err := updateByID(ctx, d.centres, c.ID, bson.D{
		{Key: "ward_id", Value: c.WardID},
		{Key: "name", Value: c.Name},
		{Key: "address", Value: c.Address},
		{Key: "hours", Value: toHoursDoc(c.Hours)},
		{Key: "seats", Value: c.Seats},
		{Key: "active", Value: c.Active},
		{Key: "updated_at", Value: c.UpdatedAt},
	}, "centre "+c.ID); err != nil {
		return err
	}
	c.WardID, err = d.settle(ctx, d.centres, c.ID, c.WardID)
	return err
}

// CentreByID finds a centre by ID.
func (d *DB) CentreByID(ctx context.Context, id string) (*directory.Centre, error) {
	doc, err := findByID[centreDoc](ctx, d.centres, id, "centre "+id)
	if err != nil {
		return nil, err
	}
	return doc.centre(), nil
}

// ListCentres returns centres matching f ordered by ID, Limit+1 at most.
func (d *DB) ListCentres(ctx context.Context, f directory.CentreFilter, p page.Request) ([]*directory.Centre, error) {
	filter := bson.D{}
	if f.WardID != "" {
		filter = append(filter, bson.E{Key: "ward_id", Value: f.WardID})
	}
	if f.Active != nil {
		filter = append(filter, bson.E{Key: "active", Value: *f.Active})
	}
	return findAll(ctx, d.centres, filter, "_id", p, "list centres", (*centreDoc).centre)
}

// --- organisations ---

// CreateOrganisation inserts o; a taken ID is ErrConflict.
func (d *DB) CreateOrganisation(ctx context.Context, o *directory.Organisation) error {
	_, err := d.organisations.InsertOne(ctx, &organisationDoc{
		ID:           o.ID,
		Kind:         string(o.Kind),
		Name:         o.Name,
		ContactName:  o.ContactName,
		ContactEmail: o.ContactEmail,
		ContactPhone: o.ContactPhone,
		Active:       o.Active,
		CreatedAt:    o.CreatedAt,
		UpdatedAt:    o.UpdatedAt,
	})
	return wrapErr(err, "organisation "+o.ID)
}

// UpdateOrganisation replaces an organisation's mutable fields.
func (d *DB) UpdateOrganisation(ctx context.Context, o *directory.Organisation) error {
	return updateByID(ctx, d.organisations, o.ID, bson.D{
		{Key: "kind", Value: string(o.Kind)},
		{Key: "name", Value: o.Name},
		{Key: "contact_name", Value: o.ContactName},
		{Key: "contact_email", Value: o.ContactEmail},
		{Key: "contact_phone", Value: o.ContactPhone},
		{Key: "active", Value: o.Active},
		{Key: "updated_at", Value: o.UpdatedAt},
	}, "organisation "+o.ID)
}

// OrganisationByID finds an organisation by ID.
func (d *DB) OrganisationByID(ctx context.Context, id string) (*directory.Organisation, error) {
	doc, err := findByID[organisationDoc](ctx, d.organisations, id, "organisation "+id)
	if err != nil {
		return nil, err
	}
	return doc.organisation(), nil
}

// ListOrganisations returns organisations matching f ordered by ID, Limit+1 at most.
func (d *DB) ListOrganisations(ctx context.Context, f directory.OrganisationFilter, p page.Request) ([]*directory.Organisation, error) {
	filter := bson.D{}
	if f.Kind != "" {
		filter = append(filter, bson.E{Key: "kind", Value: string(f.Kind)})
	}
	return findAll(ctx, d.organisations, filter, "_id", p, "list organisations", (*organisationDoc).organisation)
}
