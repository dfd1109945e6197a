package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"ecitizen/internal/apperr"
	"ecitizen/internal/page"
	"ecitizen/internal/resident"
)

// Residents, the claims on their numbers (resident_keys, primary key (kind,
// blind index)), the words of their names (resident_name_words, migration 0048)
// and the audit trail. Creating, updating and erasing a resident change its row,
// its claims and its name words in one BEGIN IMMEDIATE transaction, so a number
// is held by one resident, a failed claim stores nothing, and the words are
// always those of the stored name (none once erased).

const residentColumns = `SELECT id, ward_id, full_name, name_key, birth_year, gender, residential_group,
	notes, dup_key, duplicate_override, phone_key_id, phone_box, phone_index, national_key_id,
	national_box, national_index, consent_version, consent_given_at, consent_recorded_by,
	created_by, created_at, updated_at, erased_at, erased_by, origin_ward_id FROM residents`

// claim inserts keys in tx; a key another resident holds is a *KeyTakenError.
func claim(ctx context.Context, tx *sql.Tx, keys []resident.Key) error {
	for _, k := range keys {
		_, err := tx.ExecContext(ctx, `INSERT INTO resident_keys (kind, blind_index, resident_id) VALUES (?, ?, ?)`,
			string(k.Kind), k.Index, k.ResidentID)
		if err == nil {
			continue
		}
		if err := wrap(err, "claim"); !errors.Is(err, apperr.ErrConflict) {
			return err
		}
		var holder string
		if err := tx.QueryRowContext(ctx, `SELECT resident_id FROM resident_keys WHERE kind = ? AND blind_index = ?`,
			string(k.Kind), k.Index).Scan(&holder); err != nil {
			return err
		}
		return &resident.KeyTakenError{Kind: k.Kind, ResidentID: holder}
	}
	return nil
}

// release deletes claims of their resident in tx.
func release(ctx context.Context, tx *sql.Tx, keys []resident.Key) error {
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, `DELETE FROM resident_keys WHERE kind = ? AND blind_index = ? AND resident_id = ?`,
			string(k.Kind), k.Index, k.ResidentID); err != nil {
			return err
		}
	}
	return nil
}

func sealed(s *resident.Sealed) (keyID, box any) {
	if s == nil {
		return nil, nil
	}
	return s.KeyID, s.Box
}

// CreateResident claims keys and inserts r in one transaction; a claim held by
// another resident is a *resident.KeyTakenError, an unknown ward ErrNotFound. A
// resident of a ward merged meanwhile goes to the ward it was merged into
// (r.WardID is changed; r.OriginWardID stays).
func (db *DB) CreateResident(ctx context.Context, r *resident.Resident, keys []resident.Key) error {
	if r.OriginWardID == "" {
		r.OriginWardID = r.WardID
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		ward, err := openWard(ctx, tx, r.OriginWardID)
		if err != nil {
			return err
		}
		r.WardID = ward
		if err := claim(ctx, tx, keys); err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, insertResident, residentArgs(r)...); err != nil {
			return err
		}
		if err := writeNameWords(ctx, tx, r.ID, r.NameKey); err != nil {
			return err
		}
		return release(ctx, tx, resident.TransientKeys(keys))
	})
	var taken *resident.KeyTakenError
	if errors.As(err, &taken) {
		return err
	}
	return wrap(err, "create resident %s", r.ID)
}

const insertResident = `INSERT INTO residents (id, ward_id, origin_ward_id, full_name, name_key, birth_year,
	gender, residential_group, notes, dup_key, duplicate_override, phone_key_id, phone_box,
	phone_index, national_key_id, national_box, national_index, consent_version, consent_given_at,
	consent_recorded_by, created_by, created_at, updated_at, erased_at, erased_by)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)`

// residentArgs are the values of insertResident.
func residentArgs(r *resident.Resident) []any {
	pk, pb := sealed(r.Phone)
	nk, nb := sealed(r.NationalID)
	return []any{r.ID, r.WardID, r.OriginWardID, r.FullName, r.NameKey, r.BirthYear, string(r.Gender), r.Group, r.Notes, r.DupKey,
		r.DuplicateOverride, pk, pb, nullString(r.PhoneIndex), nk, nb, nullString(r.NationalIndex),
		r.Consent.Version, ms(r.Consent.GivenAt), r.Consent.RecordedBy, r.CreatedBy, ms(r.CreatedAt), ms(r.UpdatedAt)}
}

// ResidentByID finds a resident by id.
func (db *DB) ResidentByID(ctx context.Context, id string) (*resident.Resident, error) {
	r, err := scanResident(db.queryRow(ctx, residentColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "resident", id)
	}
	return r, nil
}

// UpdateResident claims add, replaces r's fields and releases drop, in one
// transaction.
func (db *DB) UpdateResident(ctx context.Context, r *resident.Resident, add, drop []resident.Key) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := release(ctx, tx, drop); err != nil {
			return err
		}
		if err := claim(ctx, tx, add); err != nil {
			return err
		}
		if err := db.replace(ctx, tx, r, ``); err != nil {
			return err
		}
		return release(ctx, tx, resident.TransientKeys(add))
	})
	var taken *resident.KeyTakenError
	if errors.As(err, &taken) {
		return err
	}
	return wrap(err, "update resident %s", r.ID)
}

// replace writes every mutable column of r, and its name words; cond narrows the
// update.
func (db *DB) replace(ctx context.Context, tx *sql.Tx, r *resident.Resident, cond string) error {
	pk, pb := sealed(r.Phone)
	nk, nb := sealed(r.NationalID)
	res, err := tx.ExecContext(ctx, `UPDATE residents SET full_name = ?, name_key = ?, birth_year = ?,
		gender = ?, residential_group = ?, notes = ?, dup_key = ?, duplicate_override = ?, phone_key_id = ?,
		phone_box = ?, phone_index = ?, national_key_id = ?, national_box = ?, national_index = ?,
		updated_at = ?, erased_at = ?, erased_by = ? WHERE id = ?`+cond,
		r.FullName, r.NameKey, r.BirthYear, string(r.Gender), r.Group, r.Notes, r.DupKey, r.DuplicateOverride,
		pk, pb, nullString(r.PhoneIndex), nk, nb, nullString(r.NationalIndex), ms(r.UpdatedAt),
		nullTime(r.ErasedAt), nullString(r.ErasedBy), r.ID)
	if err != nil {
		return err
	}
	if err := affected(res, "resident", r.ID); err != nil {
		return err
	}
	return writeNameWords(ctx, tx, r.ID, r.NameKey)
}

// writeNameWords replaces the name words of resident id with those of nameKey,
// in tx, under the ward its row has now (a merge may have moved it since it was
// read); an erased resident has none, so an erasure deletes them.
func writeNameWords(ctx context.Context, tx *sql.Tx, id, nameKey string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM resident_name_words WHERE resident_id = ?`, id); err != nil {
		return err
	}
	words := resident.NameWords(nameKey)
	if len(words) == 0 {
		return nil
	}
	list, err := json.Marshal(words)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO resident_name_words (ward_id, word, resident_id)
		SELECT r.ward_id, w.value, r.id FROM residents r, json_each(?) w WHERE r.id = ? AND r.erased_at IS NULL`,
		string(list), id)
	return err
}

// ListResidents returns the residents matching f (never erased ones), ordered
// by id, strictly after p.After. Terms match the start of a word of name_key.
//
// A search of a ward by name alone (the hot path) reads the page's ids from
// resident_name_words (nameWordsPage), all from the index. Their rows are then
// read and checked with the same conditions as any other list, so a word row
// could only narrow the answer, never add to it. Other filters scan the ward.
func (db *DB) ListResidents(ctx context.Context, f resident.Filter, p page.Request) ([]*resident.Resident, error) {
	var w where
	w.add(`erased_at IS NULL`)
	if f.WardID != "" && len(f.Terms) > 0 && len(f.PhoneIndexes) == 0 && len(f.NationalIndexes) == 0 && f.DupKey == "" {
		ids, args := nameWordsPage(f.WardID, f.Terms, p)
		w.add(`id IN (`+ids+`)`, args...)
		w.add(`+ward_id = ?`, f.WardID) // unary +: the rows come from the ids, not from a scan of the ward
	} else if f.WardID != "" {
		w.add(`ward_id = ?`, f.WardID)
	}
	for _, t := range f.Terms {
		w.add(`(' ' || name_key) LIKE ? ESCAPE '\'`, "% "+likeEscape(t)+"%")
	}
	if len(f.PhoneIndexes) > 0 {
		w.add(`phone_index IN (`+marks(len(f.PhoneIndexes))+`)`, anys(f.PhoneIndexes)...)
	}
	if len(f.NationalIndexes) > 0 {
		w.add(`national_index IN (`+marks(len(f.NationalIndexes))+`)`, anys(f.NationalIndexes)...)
	}
	if f.DupKey != "" {
		w.add(`dup_key = ?`, f.DupKey)
	}
	w.add(`id > ?`, p.After)
	from := residentColumns
	if f.WardID != "" && f.DupKey != "" {
		// The look-up of possible duplicates, on every registration: without
		// the hint SQLite reads the ward's residents in id order (residents_ward)
		// to spare a sort of the few rows the duplicate key finds.
		from += ` INDEXED BY residents_dup`
	}
	return list(ctx, db, "residents", from+w.String()+` ORDER BY id LIMIT ?`, append(w.args, limit(p.Limit)), scanResident)
}

// nameWordsPage returns the query of the ids of a page of the ward's residents
// having, for every term, a word that starts with it (ListResidents), and its
// arguments.
//
// The most selective term (the longest: a longer prefix is shared by fewer
// words) drives, in two parts. Its residents whose word is the term itself
// are in id order in the index (ward_id, word, resident_id): that part reads
// them from the cursor on, each also having a word in every other term's range,
// and stops at the page's end, so a whole family name most of a ward shares
// ("nguyen th") reads a few dozen index rows. The words longer than the term
// (the range (term, term+"\xff"): no UTF-8 byte is 0xff) are read whole and
// sorted, as there is no order across words; for a whole word that range is
// mostly empty, and for a prefix ("ng") it is the whole answer. The page is the
// first of the union of both in id order.
func nameWordsPage(wardID string, terms []string, p page.Request) (string, []any) {
	drive := mostSelective(terms)
	var others string
	var oargs []any
	for _, t := range terms {
		if t == drive {
			continue
		}
		others += ` AND EXISTS (SELECT 1 FROM resident_name_words o WHERE o.resident_id = w.resident_id AND o.word >= ? AND o.word < ?)`
		oargs = append(oargs, t, t+"\xff")
	}
	n := limit(p.Limit)
	q := `SELECT resident_id FROM (SELECT resident_id FROM resident_name_words w
			WHERE ward_id = ? AND word = ? AND resident_id > ?` + others + ` ORDER BY resident_id LIMIT ?)
		UNION
		SELECT resident_id FROM (SELECT DISTINCT resident_id FROM resident_name_words w
			WHERE ward_id = ? AND word > ? AND word < ? AND resident_id > ?` + others + ` ORDER BY resident_id LIMIT ?)
		ORDER BY resident_id LIMIT ?`
	args := append([]any{wardID, drive, p.After}, oargs...)
	args = append(append(args, n, wardID, drive, drive+"\xff", p.After), oargs...)
	return q, append(args, n, n)
}

// mostSelective returns the longest of terms (the first of equals), "" for none.
func mostSelective(terms []string) string {
	var best string
	for _, t := range terms {
		if len(t) > len(best) {
			best = t
		}
	}
	return best
}

// marks returns n comma-separated placeholders.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// likeEscape escapes LIKE's wildcards and its escape character.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CountResidents counts a ward's residents, erased ones included.
func (db *DB) CountResidents(ctx context.Context, wardID string) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT count(*) FROM residents WHERE ward_id = ?`, wardID).Scan(&n)
	return n, wrap(err, "count residents of ward %s", wardID)
}

// EraseResident replaces r's row unless it is erased already (resident.ErrErased),
// releases drop and inserts the audit record, in one transaction.
func (db *DB) EraseResident(ctx context.Context, r *resident.Resident, drop []resident.Key, a *resident.Audit) error {
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.replace(ctx, tx, r, ` AND erased_at IS NULL`); err != nil {
			if errors.Is(err, apperr.ErrNotFound) {
				var erased sql.NullInt64
				if e := tx.QueryRowContext(ctx, `SELECT erased_at FROM residents WHERE id = ?`, r.ID).Scan(&erased); e == nil && erased.Valid {
					return resident.ErrErased
				}
			}
			return err
		}
		if err := release(ctx, tx, drop); err != nil {
			return err
		}
		return insertAudit(ctx, tx, a)
	})
	return wrap(err, "erase resident %s", r.ID)
}

func insertAudit(ctx context.Context, tx *sql.Tx, a *resident.Audit) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO resident_audit (id, resident_id, ward_id, action, fields, reason, by_user, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.ResidentID, a.WardID, string(a.Action), strings.Join(a.Fields, ","),
		a.Reason, a.By, ms(a.At))
	return err
}

// AddAudit inserts an audit record.
func (db *DB) AddAudit(ctx context.Context, a *resident.Audit) error {
	return wrap(db.tx(ctx, func(tx *sql.Tx) error { return insertAudit(ctx, tx, a) }), "audit %s", a.ID)
}

// ListAudit returns a ward's audit records newest first, strictly before p.After.
func (db *DB) ListAudit(ctx context.Context, wardID string, p page.Request) ([]*resident.Audit, error) {
	q := `SELECT id, resident_id, ward_id, action, fields, reason, by_user, at FROM resident_audit WHERE ward_id = ?`
	args := []any{wardID}
	if p.After != "" {
		q += ` AND id < ?`
		args = append(args, p.After)
	}
	return list(ctx, db, "resident audit", q+` ORDER BY id DESC LIMIT ?`, append(args, limit(p.Limit)), func(s scanner) (*resident.Audit, error) {
		var (
			a      resident.Audit
			fields string
			t      int64
		)
		if err := s.Scan(&a.ID, &a.ResidentID, &a.WardID, &a.Action, &fields, &a.Reason, &a.By, &t); err != nil {
			return nil, err
		}
		a.Fields, a.At = splitFields(fields), at(t)
		return &a, nil
	})
}

func splitFields(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func scanResident(s scanner) (*resident.Resident, error) {
	var (
		r                        resident.Resident
		pk, pi, nk, ni, erasedBy sql.NullString
		pb, nb                   []byte
		given, created, updated  int64
		erased                   sql.NullInt64
	)
	if err := s.Scan(&r.ID, &r.WardID, &r.FullName, &r.NameKey, &r.BirthYear, &r.Gender, &r.Group, &r.Notes,
		&r.DupKey, &r.DuplicateOverride, &pk, &pb, &pi, &nk, &nb, &ni, &r.Consent.Version, &given,
		&r.Consent.RecordedBy, &r.CreatedBy, &created, &updated, &erased, &erasedBy, &r.OriginWardID); err != nil {
		return nil, err
	}
	if pk.Valid {
		r.Phone = &resident.Sealed{KeyID: pk.String, Box: pb}
	}
	if nk.Valid {
		r.NationalID = &resident.Sealed{KeyID: nk.String, Box: nb}
	}
	r.PhoneIndex, r.NationalIndex, r.ErasedBy = pi.String, ni.String, erasedBy.String
	r.Consent.GivenAt, r.CreatedAt, r.UpdatedAt = at(given), at(created), at(updated)
	if erased.Valid {
		t := at(erased.Int64)
		r.ErasedAt = &t
	}
	return &r, nil
}
