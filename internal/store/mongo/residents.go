package mongo

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
	"ecitizen/internal/resident"
)

// Residents, the claims on their numbers and the audit trail:
//
//   - residents: _id = resident id. Phone and national ID only as ciphertexts
//     (key id + box) and blind indexes; erased residents keep the document with
//     erased = true and every personal field emptied.
//   - name_words: the distinct words of name_key (resident.NameWords), written
//     with name_key by every insert and $set of a resident (so an erasure
//     empties them), indexed with ward_id: a search term is an anchored prefix
//     of one of them, which MongoDB reads as a range of the index. Documents of
//     older releases get them from the migration "resident-name-words-v1".
//   - resident_keys: a claim on a number, _id = kind + ":" + blind index, so a
//     number is held by one resident (a unique index on an optional field of
//     residents would treat every resident without a phone as a duplicate null,
//     and FerretDB v1 has no partial indexes). Claims are inserted before the
//     resident (or before an update), and deleted by their _id when released.
//   - resident_audit: insert-only, _id = audit id (UUIDv7, so newest first is _id
//     descending), plus a unique once_key: "erase:" + resident id for an
//     erasure, so a resident is erased once, and the audit id for a reveal.
//
// Without transactions, the writes run in an order that leaves nothing visible
// when they stop half-way: claims, then the resident; an erasure's audit record
// (the guard), then the emptied document, then the released claims (a retry
// finishes an erasure that stopped half-way). A claim older than
// residentClaimTTL whose resident does not exist, or no longer holds the number,
// was left by a writer that stopped half-way: it is removed and claimed again.

const (
	colResidents     = "residents"
	colResidentKeys  = "resident_keys"
	colResidentAudit = "resident_audit"
	residentClaimTTL = time.Minute
)

func (d *DB) residents() *mongodrv.Collection     { return d.db.Collection(colResidents) }
func (d *DB) residentKeys() *mongodrv.Collection  { return d.db.Collection(colResidentKeys) }
func (d *DB) residentAudit() *mongodrv.Collection { return d.db.Collection(colResidentAudit) }

type sealedDoc struct {
	KeyID string `bson:"key_id"`
	Box   []byte `bson:"box"`
}

func toSealedDoc(s *resident.Sealed) *sealedDoc {
	if s == nil {
		return nil
	}
	return &sealedDoc{KeyID: s.KeyID, Box: s.Box}
}

func (s *sealedDoc) sealed() *resident.Sealed {
	if s == nil {
		return nil
	}
	return &resident.Sealed{KeyID: s.KeyID, Box: s.Box}
}

type residentDoc struct {
	ID                string     `bson:"_id"`
	WardID            string     `bson:"ward_id"`
	OriginWardID      string     `bson:"origin_ward_id"` // missing in documents older than merges: read as ward_id
	FullName          string     `bson:"full_name"`
	NameKey           string     `bson:"name_key"`
	NameWords         []string   `bson:"name_words"`
	BirthYear         int        `bson:"birth_year"`
	Gender            string     `bson:"gender"`
	Group             string     `bson:"residential_group"`
	Notes             string     `bson:"notes"`
	DupKey            string     `bson:"dup_key"`
	DuplicateOverride string     `bson:"duplicate_override"`
	Phone             *sealedDoc `bson:"phone"`
	PhoneIndex        string     `bson:"phone_index"`
	National          *sealedDoc `bson:"national_id"`
	NationalIndex     string     `bson:"national_index"`
	ConsentVersion    string     `bson:"consent_version"`
	ConsentGivenAt    time.Time  `bson:"consent_given_at"`
	ConsentBy         string     `bson:"consent_recorded_by"`
	CreatedBy         string     `bson:"created_by"`
	CreatedAt         time.Time  `bson:"created_at"`
	UpdatedAt         time.Time  `bson:"updated_at"`
	Erased            bool       `bson:"erased"`
	ErasedAt          *time.Time `bson:"erased_at"`
	ErasedBy          string     `bson:"erased_by"`
}

func toResidentDoc(r *resident.Resident) *residentDoc {
	return &residentDoc{ID: r.ID, WardID: r.WardID, OriginWardID: r.OriginWardID, FullName: r.FullName, NameKey: r.NameKey,
		NameWords: resident.NameWords(r.NameKey), BirthYear: r.BirthYear,
		Gender: string(r.Gender), Group: r.Group, Notes: r.Notes, DupKey: r.DupKey, DuplicateOverride: r.DuplicateOverride,
		Phone: toSealedDoc(r.Phone), PhoneIndex: r.PhoneIndex, National: toSealedDoc(r.NationalID), NationalIndex: r.NationalIndex,
		ConsentVersion: r.Consent.Version, ConsentGivenAt: r.Consent.GivenAt, ConsentBy: r.Consent.RecordedBy,
		CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, Erased: r.ErasedAt != nil,
		ErasedAt: r.ErasedAt, ErasedBy: r.ErasedBy}
}

func (d *residentDoc) resident() *resident.Resident {
	r := &resident.Resident{ID: d.ID, WardID: d.WardID, OriginWardID: d.OriginWardID, FullName: d.FullName, NameKey: d.NameKey, BirthYear: d.BirthYear,
		Gender: resident.Gender(d.Gender), Group: d.Group, Notes: d.Notes, DupKey: d.DupKey, DuplicateOverride: d.DuplicateOverride,
		Phone: d.Phone.sealed(), PhoneIndex: d.PhoneIndex, NationalID: d.National.sealed(), NationalIndex: d.NationalIndex,
		Consent:   resident.Consent{Version: d.ConsentVersion, GivenAt: utc(d.ConsentGivenAt), RecordedBy: d.ConsentBy},
		CreatedBy: d.CreatedBy, CreatedAt: utc(d.CreatedAt), UpdatedAt: utc(d.UpdatedAt), ErasedBy: d.ErasedBy}
	if d.ErasedAt != nil {
		t := utc(*d.ErasedAt)
		r.ErasedAt = &t
	}
	if r.OriginWardID == "" {
		r.OriginWardID = d.WardID
	}
	return r
}

type residentKeyDoc struct {
	ID         string    `bson:"_id"` // kind:blind index
	ResidentID string    `bson:"resident_id"`
	ClaimedAt  time.Time `bson:"claimed_at"`
}

func keyID(k resident.Key) string { return string(k.Kind) + ":" + k.Index }

type auditDoc struct {
	ID         string    `bson:"_id"`
	OnceKey    string    `bson:"once_key"`
	ResidentID string    `bson:"resident_id"`
	WardID     string    `bson:"ward_id"`
	Action     string    `bson:"action"`
	Fields     []string  `bson:"fields"`
	Reason     string    `bson:"reason"`
	By         string    `bson:"by"`
	At         time.Time `bson:"at"`
}

func (d *auditDoc) audit() *resident.Audit {
	fields := d.Fields
	if fields == nil {
		fields = []string{}
	}
	return &resident.Audit{ID: d.ID, ResidentID: d.ResidentID, WardID: d.WardID, Action: resident.Action(d.Action),
		Fields: fields, Reason: d.Reason, By: d.By, At: utc(d.At)}
}

// claimKeys inserts the claims in order; on a claim held by another resident it
// releases those it inserted and returns a *resident.KeyTakenError.
func (d *DB) claimKeys(ctx context.Context, keys []resident.Key) error {
	for i, k := range keys {
		if err := d.claimKey(ctx, k); err != nil {
			d.releaseKeys(context.WithoutCancel(ctx), keys[:i])
			return err
		}
	}
	return nil
}

func (d *DB) claimKey(ctx context.Context, k resident.Key) error {
	doc := &residentKeyDoc{ID: keyID(k), ResidentID: k.ResidentID, ClaimedAt: time.Now().UTC()}
	_, err := d.residentKeys().InsertOne(ctx, doc)
	if err == nil || !duplicateKey(err) {
		return wrapErr(err, "claim resident key")
	}
	var old *residentKeyDoc
	for try := 0; ; try++ {
		old, err = findByID[residentKeyDoc](ctx, d.residentKeys(), doc.ID, "claim resident key")
		if err == nil {
			break
		}
		if !errors.Is(err, apperr.ErrNotFound) {
			return err
		}
		if try == 2 { // claimed and released under us, again and again
			return conflict("claim resident key")
		}
		// Released meanwhile: claim it again.
		if _, err = d.residentKeys().InsertOne(ctx, doc); err == nil || !duplicateKey(err) {
			return wrapErr(err, "claim resident key")
		}
	}
	if old.ResidentID == k.ResidentID {
		return nil
	}
	if time.Since(old.ClaimedAt) < residentClaimTTL || d.holds(ctx, old.ResidentID, k) {
		return &resident.KeyTakenError{Kind: k.Kind, ResidentID: old.ResidentID}
	}
	// A stale claim: its writer stopped half-way.
	if _, err := d.residentKeys().DeleteOne(ctx, bson.D{{Key: "_id", Value: doc.ID}, {Key: "resident_id", Value: old.ResidentID}}); err != nil {
		return wrapErr(err, "claim resident key")
	}
	_, err = d.residentKeys().InsertOne(ctx, doc)
	if duplicateKey(err) {
		return &resident.KeyTakenError{Kind: k.Kind, ResidentID: old.ResidentID}
	}
	return wrapErr(err, "claim resident key")
}

// holds reports whether the resident exists and holds the number of k (or
// whether that cannot be read: then the claim is kept).
func (d *DB) holds(ctx context.Context, residentID string, k resident.Key) bool {
	doc, err := findByID[residentDoc](ctx, d.residents(), residentID, "resident "+residentID)
	if errors.Is(err, apperr.ErrNotFound) {
		return false
	}
	if err != nil {
		return true
	}
	if k.Kind == resident.KindPhone {
		return doc.PhoneIndex == k.Index
	}
	if k.Kind == resident.KindImport { // released on erasure or change
		return true
	}
	return doc.NationalIndex == k.Index
}

// releaseKeys deletes claims by their _id (each named claim is its resident's).
func (d *DB) releaseKeys(ctx context.Context, keys []resident.Key) {
	for _, k := range keys {
		_, _ = d.residentKeys().DeleteOne(ctx, bson.D{{Key: "_id", Value: keyID(k)}, {Key: "resident_id", Value: k.ResidentID}})
	}
}

// CreateResident claims keys, then inserts r; a claim held by another resident
// is a *resident.KeyTakenError, an unknown ward ErrNotFound. A resident of a ward
// merged meanwhile goes to the ward it was merged into (r.WardID is changed,
// r.OriginWardID stays; see merges.go).
func (d *DB) CreateResident(ctx context.Context, r *resident.Resident, keys []resident.Key) error {
	ctx, markDone, merr := d.markResident(ctx, r.ID, r.WardID, r.OriginWardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	what := "resident " + r.ID
	if r.OriginWardID == "" {
		r.OriginWardID = r.WardID
	}
	ward, err := d.followWard(ctx, r.WardID)
	if err != nil {
		return err
	}
	r.WardID = ward
	if err := d.claimKeys(ctx, keys); err != nil {
		return err
	}
	if _, err := d.residents().InsertOne(ctx, toResidentDoc(r)); err != nil {
		d.releaseKeys(context.WithoutCancel(ctx), keys)
		return wrapErr(err, what)
	}
	d.releaseKeys(ctx, resident.TransientKeys(keys))
	r.WardID, err = d.settle(ctx, d.residents(), r.ID, r.WardID)
	return err
}

// ResidentByID finds a resident by id.
func (d *DB) ResidentByID(ctx context.Context, id string) (*resident.Resident, error) {
	doc, err := findByID[residentDoc](ctx, d.residents(), id, "resident "+id)
	if err != nil {
		return nil, err
	}
	return doc.resident(), nil
}

// residentSet is the $set of every mutable field of r.
func residentSet(r *resident.Resident) bson.D {
	doc := toResidentDoc(r)
	return bson.D{
		{Key: "full_name", Value: doc.FullName}, {Key: "name_key", Value: doc.NameKey}, {Key: "name_words", Value: doc.NameWords},
		{Key: "birth_year", Value: doc.BirthYear}, {Key: "gender", Value: doc.Gender},
		{Key: "residential_group", Value: doc.Group}, {Key: "notes", Value: doc.Notes},
		{Key: "dup_key", Value: doc.DupKey}, {Key: "duplicate_override", Value: doc.DuplicateOverride},
		{Key: "phone", Value: doc.Phone}, {Key: "phone_index", Value: doc.PhoneIndex},
		{Key: "national_id", Value: doc.National}, {Key: "national_index", Value: doc.NationalIndex},
		{Key: "updated_at", Value: doc.UpdatedAt}, {Key: "erased", Value: doc.Erased},
		{Key: "erased_at", Value: doc.ErasedAt}, {Key: "erased_by", Value: doc.ErasedBy},
	}
}

// UpdateResident claims add, replaces r's fields, then releases drop and the
// transient keys of add, under the resident's lease (so the rotation of its
// numbers cannot write over the change).
func (d *DB) UpdateResident(ctx context.Context, r *resident.Resident, add, drop []resident.Key) error {
	ctx, markDone, merr := d.markResident(ctx, r.ID, r.WardID, r.OriginWardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	l, err := d.lock(ctx, residentLeases, r.ID)
	if err != nil {
		return err
	}
	defer l.release(ctx)
	if err := d.claimKeys(ctx, add); err != nil {
		return err
	}
	if err := updateByID(ctx, d.residents(), r.ID, residentSet(r), "resident "+r.ID); err != nil {
		d.releaseKeys(context.WithoutCancel(ctx), add)
		return err
	}
	d.releaseKeys(ctx, drop)
	d.releaseKeys(ctx, resident.TransientKeys(add))
	return nil
}

// ListResidents returns the residents matching f (never erased ones), ordered by
// _id, strictly after p.After. Terms match the start of a word of name_key: each
// is an anchored prefix of an element of name_words (the words of name_key), the
// longest first, which MongoDB reads as a range of the (ward_id, name_words)
// index (a longer prefix is shared by fewer words); the others are checked on
// what that range holds.
func (d *DB) ListResidents(ctx context.Context, f resident.Filter, p page.Request) ([]*resident.Resident, error) {
	filter := bson.D{{Key: "erased", Value: false}}
	if f.WardID != "" {
		filter = append(filter, bson.E{Key: "ward_id", Value: f.WardID})
	}
	if len(f.Terms) > 0 {
		terms := slices.Clone(f.Terms)
		slices.SortStableFunc(terms, func(a, b string) int { return len(b) - len(a) })
		var all bson.A
		for _, t := range terms {
			all = append(all, bson.D{{Key: "name_words", Value: bson.D{{Key: "$regex", Value: "^" + regexp.QuoteMeta(t)}}}})
		}
		filter = append(filter, bson.E{Key: "$and", Value: all})
	}
	if len(f.PhoneIndexes) > 0 {
		filter = append(filter, bson.E{Key: "phone_index", Value: bson.D{{Key: "$in", Value: f.PhoneIndexes}}})
	}
	if len(f.NationalIndexes) > 0 {
		filter = append(filter, bson.E{Key: "national_index", Value: bson.D{{Key: "$in", Value: f.NationalIndexes}}})
	}
	if f.DupKey != "" {
		filter = append(filter, bson.E{Key: "dup_key", Value: f.DupKey})
	}
	return findAll(ctx, d.residents(), filter, "_id", p, "list residents", (*residentDoc).resident)
}

// CountResidents counts a ward's residents, erased ones included.
func (d *DB) CountResidents(ctx context.Context, wardID string) (int, error) {
	n, err := d.residents().CountDocuments(ctx, bson.D{{Key: "ward_id", Value: wardID}})
	return int(n), wrapErr(err, "count residents of ward "+wardID)
}

// EraseResident inserts the erasure's audit record (once per resident), then
// replaces r's fields, then releases drop. When the audit record exists already
// and the resident is erased, it is resident.ErrErased; when the resident is not
// (an erasure stopped half-way, or one running now), the erasure is finished.
func (d *DB) EraseResident(ctx context.Context, r *resident.Resident, drop []resident.Key, a *resident.Audit) error {
	ctx, markDone, merr := d.markResident(ctx, r.ID, r.WardID, r.OriginWardID)
	if merr != nil {
		return merr
	}
	defer markDone()
	what := "erase resident " + r.ID
	if err := mustExist(ctx, d.residents(), "resident", r.ID); err != nil {
		return err
	}
	l, err := d.lock(ctx, residentLeases, r.ID)
	if err != nil {
		return err
	}
	defer l.release(ctx)
	_, err = d.residentAudit().InsertOne(ctx, toAuditDoc(a, "erase:"+r.ID))
	if err != nil && !duplicateKey(err) {
		return wrapErr(err, what)
	}
	if err != nil {
		cur, err := d.ResidentByID(ctx, r.ID)
		if err != nil {
			return err
		}
		if cur.Erased() {
			return resident.ErrErased
		}
	}
	if err := updateByID(ctx, d.residents(), r.ID, residentSet(r), what); err != nil {
		return err
	}
	d.releaseKeys(ctx, drop)
	return nil
}

func toAuditDoc(a *resident.Audit, once string) *auditDoc {
	return &auditDoc{ID: a.ID, OnceKey: once, ResidentID: a.ResidentID, WardID: a.WardID, Action: string(a.Action),
		Fields: a.Fields, Reason: a.Reason, By: a.By, At: a.At}
}

// AddAudit inserts an audit record.
func (d *DB) AddAudit(ctx context.Context, a *resident.Audit) error {
	if err := mustExist(ctx, d.residents(), "resident", a.ResidentID); err != nil {
		return err
	}
	_, err := d.residentAudit().InsertOne(ctx, toAuditDoc(a, a.ID))
	return wrapErr(err, "audit "+a.ID)
}

// ListAudit returns a ward's audit records newest first (_id descending),
// strictly before p.After.
func (d *DB) ListAudit(ctx context.Context, wardID string, p page.Request) ([]*resident.Audit, error) {
	filter := bson.D{{Key: "ward_id", Value: wardID}}
	if p.After != "" {
		filter = append(filter, bson.E{Key: "_id", Value: bson.D{{Key: "$lt", Value: p.After}}})
	}
	o := options.Find().SetSort(bson.D{{Key: "_id", Value: -1}})
	if p.Limit > 0 {
		o.SetLimit(int64(p.Limit) + 1)
	}
	return find(ctx, d.residentAudit(), filter, o, "list resident audit", (*auditDoc).audit)
}
