package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"

	"ecitizen/internal/course"
	"ecitizen/internal/page"
)

// Courses and their versions. A version's skills and lessons (with quizzes and
// rendered HTML) are stored as JSON through the adapter's own documents below, so
// that the stored shape does not depend on the domain types' Go field names.

const courseColumns = `SELECT id, organisation_id, builtin_slug, published_version,
	latest_version, archived, created_at, updated_at FROM courses`

// CreateCourse inserts a course and its first version in one transaction; a taken
// BuiltinSlug (or ID) is ErrConflict, an unknown organisation ErrNotFound.
func (db *DB) CreateCourse(ctx context.Context, c *course.Course, v *course.Version) error {
	defer db.catalogue.changed()
	if v.CourseID != c.ID {
		return fmt.Errorf("create course %s: version belongs to course %s", c.ID, v.CourseID)
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO courses (id, organisation_id, builtin_slug,
			published_version, latest_version, archived, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, nullString(c.OrganisationID), nullString(c.BuiltinSlug), c.PublishedVersion,
			c.LatestVersion, c.Archived, ms(c.CreatedAt), ms(c.UpdatedAt)); err != nil {
			return err
		}
		return insertVersion(ctx, tx, v)
	})
	return wrap(err, "create course %s", c.ID)
}

// CourseByID finds a course by id.
func (db *DB) CourseByID(ctx context.Context, id string) (*course.Course, error) {
	c, err := scanCourse(db.queryRow(ctx, courseColumns+` WHERE id = ?`, id))
	if err != nil {
		return nil, one(err, "course", id)
	}
	return c, nil
}

// CourseByBuiltinSlug finds a course of the built-in catalogue by its slug.
func (db *DB) CourseByBuiltinSlug(ctx context.Context, slug string) (*course.Course, error) {
	c, err := scanCourse(db.queryRow(ctx, courseColumns+` WHERE builtin_slug = ?`, slug))
	if err != nil {
		return nil, one(err, "course", "by built-in slug")
	}
	return c, nil
}

// UpdateCourse replaces PublishedVersion, LatestVersion, Archived and UpdatedAt.
func (db *DB) UpdateCourse(ctx context.Context, c *course.Course) error {
	defer db.catalogue.changed()
	res, err := db.w.ExecContext(ctx, `UPDATE courses SET published_version = ?,
		latest_version = ?, archived = ?, updated_at = ? WHERE id = ?`,
		c.PublishedVersion, c.LatestVersion, c.Archived, ms(c.UpdatedAt), c.ID)
	if err != nil {
		return wrap(err, "update course %s", c.ID)
	}
	return affected(res, "course", c.ID)
}

// ListCourses returns courses matching f ordered by id, strictly after p.After,
// p.Limit+1 at most (all when p.Limit is 0).
func (db *DB) ListCourses(ctx context.Context, f course.CourseFilter, p page.Request) ([]*course.Course, error) {
	var w where
	if p.After != "" {
		w.add(`id > ?`, p.After)
	}
	if f.OrganisationID != "" {
		w.add(`organisation_id = ?`, f.OrganisationID)
	}
	return list(ctx, db, "courses", courseColumns+w.String()+` ORDER BY id LIMIT ?`,
		append(w.args, limit(p.Limit)), scanCourse)
}

func scanCourse(s scanner) (*course.Course, error) {
	var (
		c                  course.Course
		org, slug          sql.NullString
		created, updatedAt int64
	)
	if err := s.Scan(&c.ID, &org, &slug, &c.PublishedVersion, &c.LatestVersion, &c.Archived,
		&created, &updatedAt); err != nil {
		return nil, err
	}
	c.OrganisationID, c.BuiltinSlug = org.String, slug.String
	c.CreatedAt, c.UpdatedAt = at(created), at(updatedAt)
	return &c, nil
}

// Versions.

const versionColumns = `SELECT v.course_id, v.number, v.status, v.title_vi, v.title_en,
	v.summary_vi, v.summary_en, v.audience, v.level, v.skills, v.lessons, v.review_note,
	v.created_by, v.created_at, v.updated_at, v.published_at, v.search_text
	FROM course_versions v`

// CreateVersion inserts a version; a taken (CourseID, Number) is ErrConflict, an
// unknown course ErrNotFound.
func (db *DB) CreateVersion(ctx context.Context, v *course.Version) error {
	defer db.catalogue.changed()
	err := db.tx(ctx, func(tx *sql.Tx) error { return insertVersion(ctx, tx, v) })
	return wrap(err, "create version %d of course %s", v.Number, v.CourseID)
}

func insertVersion(ctx context.Context, tx *sql.Tx, v *course.Version) error {
	skills, lessons, err := versionJSON(v)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO course_versions (course_id, number, status,
		title_vi, title_en, summary_vi, summary_en, audience, level, skills, lessons,
		review_note, created_by, created_at, updated_at, published_at, search_text)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.CourseID, v.Number, string(v.Status), v.Title.Vi, v.Title.En, v.Summary.Vi,
		v.Summary.En, string(v.Audience), string(v.Level), skills, lessons, v.ReviewNote,
		v.CreatedBy, ms(v.CreatedAt), ms(v.UpdatedAt), nullTime(v.PublishedAt), v.SearchText)
	if err != nil || v.Status != course.StatusPublished {
		return err
	}
	return insertCard(ctx, tx, course.CardOf(v))
}

// Version finds version number of a course.
func (db *DB) Version(ctx context.Context, courseID string, number int) (*course.Version, error) {
	v, err := scanVersion(db.queryRow(ctx,
		versionColumns+` WHERE v.course_id = ? AND v.number = ?`, courseID, number))
	if err != nil {
		return nil, one(err, "course version", fmt.Sprintf("%s/%d", courseID, number))
	}
	return v, nil
}

// UpdateVersion replaces the content, status, review note, search text, update
// and publication times of a version that is not published; a published (or
// missing) version is ErrNotFound and stays as it was. A version it publishes
// gets its catalogue card in the same transaction.
func (db *DB) UpdateVersion(ctx context.Context, v *course.Version) error {
	defer db.catalogue.changed()
	skills, lessons, err := versionJSON(v)
	if err != nil {
		return fmt.Errorf("update version %d of course %s: %w", v.Number, v.CourseID, err)
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE course_versions SET status = ?, title_vi = ?,
			title_en = ?, summary_vi = ?, summary_en = ?, audience = ?, level = ?, skills = ?,
			lessons = ?, review_note = ?, updated_at = ?, published_at = ?, search_text = ?
			WHERE course_id = ? AND number = ? AND status <> ?`,
			string(v.Status), v.Title.Vi, v.Title.En, v.Summary.Vi, v.Summary.En,
			string(v.Audience), string(v.Level), skills, lessons, v.ReviewNote, ms(v.UpdatedAt),
			nullTime(v.PublishedAt), v.SearchText, v.CourseID, v.Number, string(course.StatusPublished))
		if err != nil {
			return err
		}
		if err := affected(res, "unpublished course version", fmt.Sprintf("%s/%d", v.CourseID, v.Number)); err != nil {
			return err
		}
		if v.Status != course.StatusPublished {
			return nil
		}
		return insertCard(ctx, tx, course.CardOf(v))
	})
	return wrap(err, "update version %d of course %s", v.Number, v.CourseID)
}

// Catalogue cards (migration 0047): one per published version, inserted with its
// publication and never changed, as a published version never is.

// cardLessonDoc is a course.CardLesson as stored in course_cards.lessons.
type cardLessonDoc struct {
	ID    string      `json:"id"`
	Title course.Text `json:"title"`
	Quiz  bool        `json:"quiz"`
}

func insertCard(ctx context.Context, tx *sql.Tx, c *course.Card) error {
	skills, err := json.Marshal(c.Skills)
	if err != nil {
		return fmt.Errorf("card skills: %w", err)
	}
	docs := make([]cardLessonDoc, len(c.Lessons))
	for i, l := range c.Lessons {
		docs[i] = cardLessonDoc{ID: l.ID, Title: l.Title, Quiz: l.HasQuiz}
	}
	lessons, err := json.Marshal(docs)
	if err != nil {
		return fmt.Errorf("card lessons: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO course_cards (course_id, number, title_vi,
		title_en, summary_vi, summary_en, audience, level, skills, minutes, lessons, search_text)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.CourseID, c.Number, c.Title.Vi, c.Title.En, c.Summary.Vi, c.Summary.En,
		string(c.Audience), string(c.Level), string(skills), c.Minutes, string(lessons), c.SearchText)
	return err
}

// catalogueMemo keeps the catalogue between reads, exact without reading the
// file: every write that can change what the catalogue lists (a course created
// or updated, a version created or updated, which is when cards are written)
// bumps gen after it committed (or failed), and a read takes gen before it reads
// the file. A memo kept under gen g therefore holds what the file held at g or
// later; once a write bumps gen, nothing kept under an older gen is served
// again. This relies on this process being the only writer of its file: one
// service process per data directory (docs/operations.md, "Deploying"). Every
// store of this process open on the file shares one memo (catalogueOf), and Open
// marks it changed, as migrations may change what the file holds.
type catalogueMemo struct {
	tag     string // this Open's, so that stamps differ across restarts
	gen     atomic.Uint64
	stamped atomic.Pointer[stampText] // the last stamp formatted

	mu    sync.Mutex
	at    uint64 // the gen cards were read at; 0: none kept
	cards []*course.Card
}

// changed marks the catalogue as changed; writers call it after a write.
func (m *catalogueMemo) changed() { m.gen.Add(1) }

// catalogues holds the catalogueMemo of each database file opened in this
// process, by absolute path, so that stores open on one file (as instances of
// the service would be) see each other's writes.
var catalogues sync.Map // string → *catalogueMemo

// catalogueOf returns the memo of the file at path, marked as changed: Open
// calls it before migrating, and what was kept of an earlier Open is not served.
func catalogueOf(path string) *catalogueMemo {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	m, _ := catalogues.LoadOrStore(path, &catalogueMemo{tag: rand.Text()[:12]})
	memo := m.(*catalogueMemo)
	memo.changed()
	return memo
}

// stamp returns the stamp of gen: the memo's tag and gen, formatted once a gen.
func (m *catalogueMemo) stamp(gen uint64) string {
	if s := m.stamped.Load(); s != nil && s.gen == gen {
		return s.text
	}
	s := &stampText{gen, m.tag + "." + strconv.FormatUint(gen, 10)}
	m.stamped.Store(s)
	return s.text
}

type stampText struct {
	gen  uint64
	text string
}

// CatalogueStamp returns this process's count of catalogue writes, with a tag of
// this Open (catalogueMemo): no read of the file.
func (db *DB) CatalogueStamp(context.Context) (string, error) {
	return db.catalogue.stamp(db.catalogue.gen.Load()), nil
}

// CatalogueCards returns the card of the published version of every course that
// is not archived and matches f (f.Select). It reads the listed cards (the
// courses_published index and course_cards) when a write changed the catalogue
// since the last read (catalogueMemo), and otherwise none. Order is
// unspecified; at most f.Max (0: all).
func (db *DB) CatalogueCards(ctx context.Context, f course.CatalogueFilter) ([]*course.Card, string, error) {
	gen := db.catalogue.gen.Load()
	stamp := db.catalogue.stamp(gen)
	m := db.catalogue
	m.mu.Lock()
	cards, kept := m.cards, m.at == gen+1
	m.mu.Unlock()
	if kept {
		return f.Select(cards), stamp, nil
	}
	cards, err := list(ctx, db, "catalogue cards", `SELECT k.course_id, k.number, k.title_vi,
		k.title_en, k.summary_vi, k.summary_en, k.audience, k.level, k.skills, k.minutes,
		k.lessons, k.search_text
		FROM courses c JOIN course_cards k ON k.course_id = c.id AND k.number = c.published_version
		WHERE c.archived = 0 AND c.published_version > 0`, nil, scanCard)
	if err != nil {
		return nil, "", err
	}
	m.mu.Lock()
	if gen+1 > m.at { // never replace a newer read by an older one
		m.at, m.cards = gen+1, cards
	}
	m.mu.Unlock()
	return f.Select(cards), stamp, nil
}

func scanCard(s scanner) (*course.Card, error) {
	var (
		c               course.Card
		skills, lessons string
	)
	if err := s.Scan(&c.CourseID, &c.Number, &c.Title.Vi, &c.Title.En, &c.Summary.Vi,
		&c.Summary.En, &c.Audience, &c.Level, &skills, &c.Minutes, &lessons, &c.SearchText); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(skills), &c.Skills); err != nil {
		return nil, fmt.Errorf("card of version %d of course %s: skills: %w", c.Number, c.CourseID, err)
	}
	var docs []cardLessonDoc
	if err := json.Unmarshal([]byte(lessons), &docs); err != nil {
		return nil, fmt.Errorf("card of version %d of course %s: lessons: %w", c.Number, c.CourseID, err)
	}
	c.Lessons = make([]course.CardLesson, len(docs))
	for i, d := range docs {
		c.Lessons[i] = course.CardLesson{ID: d.ID, Title: d.Title, HasQuiz: d.Quiz}
	}
	return &c, nil
}

func scanVersion(s scanner) (*course.Version, error) {
	var (
		v                  course.Version
		skills, lessons    string
		created, updatedAt int64
		published          sql.NullInt64
	)
	if err := s.Scan(&v.CourseID, &v.Number, &v.Status, &v.Title.Vi, &v.Title.En,
		&v.Summary.Vi, &v.Summary.En, &v.Audience, &v.Level, &skills, &lessons, &v.ReviewNote,
		&v.CreatedBy, &created, &updatedAt, &published, &v.SearchText); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(skills), &v.Skills); err != nil {
		return nil, fmt.Errorf("version %d of course %s: skills: %w", v.Number, v.CourseID, err)
	}
	var docs []lessonDoc
	if err := json.Unmarshal([]byte(lessons), &docs); err != nil {
		return nil, fmt.Errorf("version %d of course %s: lessons: %w", v.Number, v.CourseID, err)
	}
	v.Lessons = fromLessonDocs(docs)
	v.CreatedAt, v.UpdatedAt = at(created), at(updatedAt)
	if published.Valid {
		t := at(published.Int64)
		v.PublishedAt = &t
	}
	return &v, nil
}

// versionJSON encodes a version's skills and lessons. A nil list is stored as
// null and an empty one as [], so both read back as they were written.
func versionJSON(v *course.Version) (skills, lessons string, err error) {
	s, err := json.Marshal(v.Skills)
	if err != nil {
		return "", "", fmt.Errorf("skills: %w", err)
	}
	l, err := json.Marshal(toLessonDocs(v.Lessons))
	if err != nil {
		return "", "", fmt.Errorf("lessons: %w", err)
	}
	return string(s), string(l), nil
}

// lessonDoc is a course.Lesson as stored in course_versions.lessons.
type lessonDoc struct {
	ID       string      `json:"id"`
	Title    course.Text `json:"title"`
	Body     course.Text `json:"body"`
	VideoURL string      `json:"video_url"`
	Minutes  int         `json:"minutes"`
	Quiz     *quizDoc    `json:"quiz"`
	HTML     course.Text `json:"html"`
}

type quizDoc struct {
	PassMark  int           `json:"pass_mark"`
	Questions []questionDoc `json:"questions"`
}

type questionDoc struct {
	ID          string      `json:"id"`
	Kind        string      `json:"kind"`
	Prompt      course.Text `json:"prompt"`
	Options     []optionDoc `json:"options"`
	Explanation course.Text `json:"explanation"`
}

type optionDoc struct {
	ID      string      `json:"id"`
	Text    course.Text `json:"text"`
	Correct bool        `json:"correct"`
}

// convert maps a slice element by element, keeping nil as nil and empty as empty.
func convert[A, B any](in []A, f func(*A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i := range in {
		out[i] = f(&in[i])
	}
	return out
}

func toLessonDocs(ls []course.Lesson) []lessonDoc {
	return convert(ls, func(l *course.Lesson) lessonDoc {
		d := lessonDoc{ID: l.ID, Title: l.Title, Body: l.Body, VideoURL: l.VideoURL,
			Minutes: l.Minutes, HTML: l.HTML}
		if q := l.Quiz; q != nil {
			d.Quiz = &quizDoc{PassMark: q.PassMark, Questions: convert(q.Questions, func(q *course.Question) questionDoc {
				return questionDoc{ID: q.ID, Kind: string(q.Kind), Prompt: q.Prompt, Explanation: q.Explanation,
					Options: convert(q.Options, func(o *course.Option) optionDoc {
						return optionDoc{ID: o.ID, Text: o.Text, Correct: o.Correct}
					})}
			})}
		}
		return d
	})
}

func fromLessonDocs(ds []lessonDoc) []course.Lesson {
	return convert(ds, func(d *lessonDoc) course.Lesson {
		l := course.Lesson{ID: d.ID, Title: d.Title, Body: d.Body, VideoURL: d.VideoURL,
			Minutes: d.Minutes, HTML: d.HTML}
		if q := d.Quiz; q != nil {
			l.Quiz = &course.Quiz{PassMark: q.PassMark, Questions: convert(q.Questions, func(q *questionDoc) course.Question {
				return course.Question{ID: q.ID, Kind: course.QuestionKind(q.Kind), Prompt: q.Prompt, Explanation: q.Explanation,
					Options: convert(q.Options, func(o *optionDoc) course.Option {
						return course.Option{ID: o.ID, Text: o.Text, Correct: o.Correct}
					})}
			})}
		}
		return l
	})
}
