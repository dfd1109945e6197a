package mongo

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	mongodrv "go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"ecitizen/internal/apperr"
	"ecitizen/internal/course"
	"ecitizen/internal/page"
)

// courseDoc is a course across its versions. Its built-in slug is also claimed in
// builtin_slugs, which is what makes it unique.
type courseDoc struct {
	ID               string    `bson:"_id"`
	OrganisationID   string    `bson:"organisation_id"`
	BuiltinSlug      string    `bson:"builtin_slug"` // "" for partners' courses
	PublishedVersion int       `bson:"published_version"`
	LatestVersion    int       `bson:"latest_version"`
	Archived         bool      `bson:"archived"`
	CreatedAt        time.Time `bson:"created_at"`
	UpdatedAt        time.Time `bson:"updated_at"`
}

func (d *courseDoc) course() *course.Course {
	return &course.Course{
		ID:               d.ID,
		OrganisationID:   d.OrganisationID,
		BuiltinSlug:      d.BuiltinSlug,
		PublishedVersion: d.PublishedVersion,
		LatestVersion:    d.LatestVersion,
		Archived:         d.Archived,
		CreatedAt:        utc(d.CreatedAt),
		UpdatedAt:        utc(d.UpdatedAt),
	}
}

// slugDoc claims a built-in slug for a course: _id is the slug.
type slugDoc struct {
	Slug      string    `bson:"_id"`
	CourseID  string    `bson:"course_id"`
	ClaimedAt time.Time `bson:"claimed_at"`
}

// slugClaimTTL is how long a slug claim whose course does not exist is taken to
// belong to a CreateCourse still in progress. An older one was left by a creator
// that stopped half-way, and a new CreateCourse may take it over.
const slugClaimTTL = time.Minute

// textDoc is a course.Text.
type textDoc struct {
	Vi string `bson:"vi"`
	En string `bson:"en"`
}

func toText(t course.Text) textDoc  { return textDoc(t) }
func (t textDoc) text() course.Text { return course.Text(t) }

// versionDoc is one version of a course; _id is versionKey(course_id, number).
// A nil list is stored as null and an empty one as [], so both read back as written.
type versionDoc struct {
	Key         string      `bson:"_id"`
	CourseID    string      `bson:"course_id"`
	Number      int         `bson:"number"`
	Status      string      `bson:"status"`
	Title       textDoc     `bson:"title"`
	Summary     textDoc     `bson:"summary"`
	Audience    string      `bson:"audience"`
	Level       string      `bson:"level"`
	Skills      []string    `bson:"skills"`
	Lessons     []lessonDoc `bson:"lessons"`
	ReviewNote  string      `bson:"review_note"`
	CreatedBy   string      `bson:"created_by"`
	CreatedAt   time.Time   `bson:"created_at"`
	UpdatedAt   time.Time   `bson:"updated_at"`
	PublishedAt *time.Time  `bson:"published_at"` // null until published
	SearchText  string      `bson:"search_text"`
}

type lessonDoc struct {
	ID       string   `bson:"id"`
	Title    textDoc  `bson:"title"`
	Body     textDoc  `bson:"body"`
	VideoURL string   `bson:"video_url"`
	Minutes  int      `bson:"minutes"`
	Quiz     *quizDoc `bson:"quiz"` // null when the lesson has none
	HTML     textDoc  `bson:"html"`
}

type quizDoc struct {
	PassMark  int           `bson:"pass_mark"`
	Questions []questionDoc `bson:"questions"`
}

type questionDoc struct {
	ID          string      `bson:"id"`
	Kind        string      `bson:"kind"`
	Prompt      textDoc     `bson:"prompt"`
	Options     []optionDoc `bson:"options"`
	Explanation textDoc     `bson:"explanation"`
}

type optionDoc struct {
	ID      string  `bson:"id"`
	Text    textDoc `bson:"text"`
	Correct bool    `bson:"correct"`
}

// versionKey is the _id of a version: the number is zero-padded and has no ':',
// so the key names one (course, number) pair.
func versionKey(courseID string, number int) string {
	return fmt.Sprintf("%s:%06d", courseID, number)
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

func toVersionDoc(v *course.Version) *versionDoc {
	return &versionDoc{
		Key:         versionKey(v.CourseID, v.Number),
		CourseID:    v.CourseID,
		Number:      v.Number,
		Status:      string(v.Status),
		Title:       toText(v.Title),
		Summary:     toText(v.Summary),
		Audience:    string(v.Audience),
		Level:       string(v.Level),
		Skills:      v.Skills,
		Lessons:     convert(v.Lessons, toLessonDoc),
		ReviewNote:  v.ReviewNote,
		CreatedBy:   v.CreatedBy,
		CreatedAt:   v.CreatedAt,
		UpdatedAt:   v.UpdatedAt,
		PublishedAt: v.PublishedAt,
		SearchText:  v.SearchText,
	}
}

func toLessonDoc(l *course.Lesson) lessonDoc {
	d := lessonDoc{ID: l.ID, Title: toText(l.Title), Body: toText(l.Body), VideoURL: l.VideoURL,
		Minutes: l.Minutes, HTML: toText(l.HTML)}
	if q := l.Quiz; q != nil {
		d.Quiz = &quizDoc{PassMark: q.PassMark, Questions: convert(q.Questions, func(q *course.Question) questionDoc {
			return questionDoc{ID: q.ID, Kind: string(q.Kind), Prompt: toText(q.Prompt),
				Explanation: toText(q.Explanation), Options: convert(q.Options, func(o *course.Option) optionDoc {
					return optionDoc{ID: o.ID, Text: toText(o.Text), Correct: o.Correct}
				})}
		})}
	}
	return d
}

func (d *lessonDoc) lesson() course.Lesson {
	l := course.Lesson{ID: d.ID, Title: d.Title.text(), Body: d.Body.text(), VideoURL: d.VideoURL,
		Minutes: d.Minutes, HTML: d.HTML.text()}
	if q := d.Quiz; q != nil {
		l.Quiz = &course.Quiz{PassMark: q.PassMark, Questions: convert(q.Questions, func(q *questionDoc) course.Question {
			return course.Question{ID: q.ID, Kind: course.QuestionKind(q.Kind), Prompt: q.Prompt.text(),
				Explanation: q.Explanation.text(), Options: convert(q.Options, func(o *optionDoc) course.Option {
					return course.Option{ID: o.ID, Text: o.Text.text(), Correct: o.Correct}
				})}
		})}
	}
	return l
}

func (d *versionDoc) version() *course.Version {
	v := &course.Version{
		CourseID:   d.CourseID,
		Number:     d.Number,
		Status:     course.Status(d.Status),
		Title:      d.Title.text(),
		Summary:    d.Summary.text(),
		Audience:   course.Audience(d.Audience),
		Level:      course.Level(d.Level),
		Skills:     d.Skills,
		Lessons:    convert(d.Lessons, (*lessonDoc).lesson),
		ReviewNote: d.ReviewNote,
		CreatedBy:  d.CreatedBy,
		CreatedAt:  utc(d.CreatedAt),
		UpdatedAt:  utc(d.UpdatedAt),
		SearchText: d.SearchText,
	}
	if d.PublishedAt != nil {
		t := utc(*d.PublishedAt)
		v.PublishedAt = &t
	}
	return v
}

// --- courses ---

// CreateCourse inserts a course and its first version; a taken BuiltinSlug (or ID)
// is ErrConflict, an unknown organisation ErrNotFound. It claims the slug first,
// then inserts the version (and the card of a published one), then the course, so
// that a creator stopping half-way leaves no visible course; on a failure it
// removes what it inserted.
func (d *DB) CreateCourse(ctx context.Context, c *course.Course, v *course.Version) error {
	what := "course " + c.ID
	if v.CourseID != c.ID {
		return fmt.Errorf("%s: version belongs to course %s", what, v.CourseID)
	}
	if c.OrganisationID != "" {
		if err := mustExist(ctx, d.organisations, "organisation", c.OrganisationID); err != nil {
			return err
		}
	}
	// Clean-up runs even when ctx is cancelled.
	bg := context.WithoutCancel(ctx)
	if c.BuiltinSlug != "" {
		if err := d.claimSlug(ctx, c.BuiltinSlug, c.ID); err != nil {
			return err
		}
	}
	release := func() {
		if c.BuiltinSlug != "" {
			_, _ = d.builtinSlugs.DeleteOne(bg, bson.D{
				{Key: "_id", Value: c.BuiltinSlug}, {Key: "course_id", Value: c.ID}})
		}
	}
	vd := toVersionDoc(v)
	if _, err := d.versions.InsertOne(ctx, vd); err != nil {
		release()
		return wrapErr(err, what)
	}
	// The version insert succeeded, so its _id was free: the version and its
	// card are ours to remove when the course cannot be inserted.
	drop := func() {
		_, _ = d.versions.DeleteOne(bg, byID(vd.Key))
		_, _ = d.cards().DeleteOne(bg, byID(vd.Key))
		release()
	}
	if v.Status == course.StatusPublished {
		if err := d.putCard(ctx, v); err != nil {
			drop()
			return err
		}
	}
	if _, err := d.courses.InsertOne(ctx, &courseDoc{
		ID:               c.ID,
		OrganisationID:   c.OrganisationID,
		BuiltinSlug:      c.BuiltinSlug,
		PublishedVersion: c.PublishedVersion,
		LatestVersion:    c.LatestVersion,
		Archived:         c.Archived,
		CreatedAt:        c.CreatedAt,
		UpdatedAt:        c.UpdatedAt,
	}); err != nil {
		drop()
		return wrapErr(err, what)
	}
	return nil
}

// claimSlug inserts the claim of slug for courseID; a slug claimed for an existing
// course is ErrConflict. A claim older than slugClaimTTL whose course does not
// exist was left by a creator that stopped half-way: it is removed (only if it
// still names that course) and the claim is tried once more.
func (d *DB) claimSlug(ctx context.Context, slug, courseID string) error {
	what := "course built-in slug " + slug
	claim := &slugDoc{Slug: slug, CourseID: courseID, ClaimedAt: time.Now().UTC()}
	_, err := d.builtinSlugs.InsertOne(ctx, claim)
	if err == nil || !duplicateKey(err) {
		return wrapErr(err, what)
	}
	old, err := findByID[slugDoc](ctx, d.builtinSlugs, slug, what)
	if errors.Is(err, apperr.ErrNotFound) { // released meanwhile
		_, err = d.builtinSlugs.InsertOne(ctx, claim)
		return wrapErr(err, what)
	}
	if err != nil {
		return err
	}
	taken, err := exists(ctx, d.courses, old.CourseID)
	if err != nil {
		return wrapErr(err, what)
	}
	if taken || time.Since(old.ClaimedAt) < slugClaimTTL {
		return conflict(what)
	}
	if _, err := d.builtinSlugs.DeleteOne(ctx, bson.D{
		{Key: "_id", Value: slug}, {Key: "course_id", Value: old.CourseID}}); err != nil {
		return wrapErr(err, what)
	}
	_, err = d.builtinSlugs.InsertOne(ctx, claim)
	return wrapErr(err, what)
}

// CourseByID finds a course by ID.
func (d *DB) CourseByID(ctx context.Context, id string) (*course.Course, error) {
	doc, err := findByID[courseDoc](ctx, d.courses, id, "course "+id)
	if err != nil {
		return nil, err
	}
	return doc.course(), nil
}

// CourseByBuiltinSlug finds a course of the built-in catalogue through its slug claim.
func (d *DB) CourseByBuiltinSlug(ctx context.Context, slug string) (*course.Course, error) {
	what := "course by built-in slug"
	claim, err := findByID[slugDoc](ctx, d.builtinSlugs, slug, what)
	if err != nil {
		return nil, err
	}
	doc, err := findByID[courseDoc](ctx, d.courses, claim.CourseID, what)
	if err != nil {
		return nil, err // a claim without its course: a creation in progress
	}
	if doc.BuiltinSlug != slug {
		return nil, notFound(what)
	}
	return doc.course(), nil
}

// UpdateCourse replaces PublishedVersion, LatestVersion, Archived and UpdatedAt.
func (d *DB) UpdateCourse(ctx context.Context, c *course.Course) error {
	return updateByID(ctx, d.courses, c.ID, bson.D{
		{Key: "published_version", Value: c.PublishedVersion},
		{Key: "latest_version", Value: c.LatestVersion},
		{Key: "archived", Value: c.Archived},
		{Key: "updated_at", Value: c.UpdatedAt},
	}, "course "+c.ID)
}

// ListCourses returns courses matching f ordered by ID, Limit+1 at most.
func (d *DB) ListCourses(ctx context.Context, f course.CourseFilter, p page.Request) ([]*course.Course, error) {
	filter := bson.D{}
	if f.OrganisationID != "" {
		filter = append(filter, bson.E{Key: "organisation_id", Value: f.OrganisationID})
	}
	return findAll(ctx, d.courses, filter, "_id", p, "list courses", (*courseDoc).course)
}

// --- versions ---

// CreateVersion inserts a version, then the card of a published one; a taken
// (CourseID, Number) is ErrConflict, an unknown course ErrNotFound.
func (d *DB) CreateVersion(ctx context.Context, v *course.Version) error {
	if err := mustExist(ctx, d.courses, "course", v.CourseID); err != nil {
		return err
	}
	if _, err := d.versions.InsertOne(ctx, toVersionDoc(v)); err != nil {
		return wrapErr(err, fmt.Sprintf("version %d of course %s", v.Number, v.CourseID))
	}
	if v.Status == course.StatusPublished {
		return d.putCard(ctx, v)
	}
	return nil
}

// Version finds version number of a course.
func (d *DB) Version(ctx context.Context, courseID string, number int) (*course.Version, error) {
	doc, err := findByID[versionDoc](ctx, d.versions, versionKey(courseID, number), fmt.Sprintf("version %d of course %s", number, courseID))
	if err != nil {
		return nil, err
	}
	return doc.version(), nil
}

// UpdateVersion replaces the content, status, review note, search text, update
// and publication times of a version that is not published; a published (or
// missing) version is ErrNotFound. A version it publishes gets its card next.
func (d *DB) UpdateVersion(ctx context.Context, v *course.Version) error {
	what := fmt.Sprintf("unpublished version %d of course %s", v.Number, v.CourseID)
	doc := toVersionDoc(v)
	res, err := d.versions.UpdateOne(ctx, bson.D{
		{Key: "_id", Value: doc.Key},
		{Key: "status", Value: bson.D{{Key: "$ne", Value: string(course.StatusPublished)}}},
	}, bson.D{{Key: "$set", Value: bson.D{
		{Key: "status", Value: doc.Status},
		{Key: "title", Value: doc.Title},
		{Key: "summary", Value: doc.Summary},
		{Key: "audience", Value: doc.Audience},
		{Key: "level", Value: doc.Level},
		{Key: "skills", Value: doc.Skills},
		{Key: "lessons", Value: doc.Lessons},
		{Key: "review_note", Value: doc.ReviewNote},
		{Key: "updated_at", Value: doc.UpdatedAt},
		{Key: "published_at", Value: doc.PublishedAt},
		{Key: "search_text", Value: doc.SearchText},
	}}})
	if err != nil {
		return wrapErr(err, what)
	}
	if res.MatchedCount == 0 {
		return notFound(what)
	}
	if v.Status == course.StatusPublished {
		return d.putCard(ctx, v) // the content just stored, now immutable
	}
	return nil
}

// --- catalogue cards ---

// Catalogue cards: one document per published version, _id = the version's _id,
// holding what the catalogue lists and searches (course.CardOf). Without
// transactions a card is written just after its version is stored published
// (CreateVersion, UpdateVersion) and before anything points to it: the course
// points to a version only once the service's UpdateCourse (or CreateCourse,
// which inserts the course last) has run, after the card. A writer stopping
// between its version and its card leaves a published version without a card;
// CatalogueCards derives that card from the version when a course points to it,
// and stores it. Derived from an immutable version, a card is the same whoever
// writes it, so writing it again (an upsert) is harmless.
const colCards = "course_cards"

func (d *DB) cards() *mongodrv.Collection { return d.db.Collection(colCards) }

type cardDoc struct {
	Key        string          `bson:"_id"`
	CourseID   string          `bson:"course_id"`
	Number     int             `bson:"number"`
	Title      textDoc         `bson:"title"`
	Summary    textDoc         `bson:"summary"`
	Audience   string          `bson:"audience"`
	Level      string          `bson:"level"`
	Skills     []string        `bson:"skills"`
	Minutes    int             `bson:"minutes"`
	Lessons    []cardLessonDoc `bson:"lessons"`
	SearchText string          `bson:"search_text"`
}

type cardLessonDoc struct {
	ID    string  `bson:"id"`
	Title textDoc `bson:"title"`
	Quiz  bool    `bson:"quiz"`
}

func toCardDoc(c *course.Card) *cardDoc {
	return &cardDoc{
		Key:      versionKey(c.CourseID, c.Number),
		CourseID: c.CourseID,
		Number:   c.Number,
		Title:    toText(c.Title),
		Summary:  toText(c.Summary),
		Audience: string(c.Audience),
		Level:    string(c.Level),
		Skills:   c.Skills,
		Minutes:  c.Minutes,
		Lessons: convert(c.Lessons, func(l *course.CardLesson) cardLessonDoc {
			return cardLessonDoc{ID: l.ID, Title: toText(l.Title), Quiz: l.HasQuiz}
		}),
		SearchText: c.SearchText,
	}
}

func (d *cardDoc) card() *course.Card {
	c := &course.Card{
		CourseID:   d.CourseID,
		Number:     d.Number,
		Title:      d.Title.text(),
		Summary:    d.Summary.text(),
		Audience:   course.Audience(d.Audience),
		Level:      course.Level(d.Level),
		Skills:     d.Skills,
		Minutes:    d.Minutes,
		Lessons:    make([]course.CardLesson, len(d.Lessons)),
		SearchText: d.SearchText,
	}
	for i, l := range d.Lessons {
		c.Lessons[i] = course.CardLesson{ID: l.ID, Title: l.Title.text(), HasQuiz: l.Quiz}
	}
	return c
}

// putCard stores the card of a published version (an upsert by _id).
func (d *DB) putCard(ctx context.Context, v *course.Version) error {
	doc := toCardDoc(course.CardOf(v))
	err := retry(ctx, func() error {
		_, err := d.cards().ReplaceOne(ctx, byID(doc.Key), doc, options.Replace().SetUpsert(true))
		return err
	})
	return wrapErr(err, fmt.Sprintf("card of version %d of course %s", v.Number, v.CourseID))
}

// cataloguePointer is which version of a course the catalogue lists.
type cataloguePointer struct {
	ID      string `bson:"_id"`
	Version int    `bson:"published_version"`
}

// cataloguePointers reads which version of which course the catalogue lists,
// with their stamp: a digest of those pairs in _id order, equal for equal
// catalogues as a published version's card never changes. Instances share no
// memory, so the stamp is read from the database every time.
func (d *DB) cataloguePointers(ctx context.Context) ([]cataloguePointer, string, error) {
	pointers, err := findDocs[cataloguePointer](ctx, d.courses, bson.D{
		{Key: "archived", Value: false},
		{Key: "published_version", Value: bson.D{{Key: "$gt", Value: 0}}},
	}, options.Find().SetProjection(bson.D{{Key: "_id", Value: 1}, {Key: "published_version", Value: 1}}), "catalogue")
	if err != nil {
		return nil, "", err
	}
	slices.SortFunc(pointers, func(a, b cataloguePointer) int { return strings.Compare(a.ID, b.ID) })
	h := sha256.New()
	for _, p := range pointers {
		fmt.Fprintf(h, "%s\x00%d\x00", p.ID, p.Version)
	}
	return pointers, base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:12]), nil
}

// CatalogueStamp returns the digest of which version of which course the
// catalogue lists (cataloguePointers): one small read.
func (d *DB) CatalogueStamp(ctx context.Context) (string, error) {
	_, stamp, err := d.cataloguePointers(ctx)
	return stamp, err
}

// CatalogueCards returns the card of the published version of every course that
// is not archived and matches f. It reads the courses' published version numbers
// on every call and takes those versions' cards from d.cardCache, exact as cards
// never change (course.CardCache); when one is missing there it reads the cards
// by _id (a card missing there too is derived from its version and stored, see
// colCards). It keeps those f matches (f.Select: terms are literal substrings of
// the search text). Order is unspecified; at most f.Max (0: all).
func (d *DB) CatalogueCards(ctx context.Context, f course.CatalogueFilter) ([]*course.Card, string, error) {
	const what = "catalogue cards"
	pointers, stamp, err := d.cataloguePointers(ctx)
	if err != nil || len(pointers) == 0 {
		return nil, stamp, err
	}
	want := make([]course.CardKey, len(pointers))
	keys := make([]string, len(pointers))
	for i, p := range pointers {
		want[i] = course.CardKey{CourseID: p.ID, Number: p.Version}
		keys[i] = versionKey(p.ID, p.Version)
	}
	if cards, ok := d.cardCache.Lookup(want); ok {
		return f.Select(cards), stamp, nil
	}
	docs, err := findDocs[cardDoc](ctx, d.cards(), bson.D{{Key: "_id", Value: bson.D{{Key: "$in", Value: keys}}}}, options.Find(), what)
	if err != nil {
		return nil, "", err
	}
	found := make(map[string]*cardDoc, len(docs))
	for i := range docs {
		found[docs[i].Key] = &docs[i]
	}
	cards := make([]*course.Card, 0, len(keys))
	for _, key := range keys {
		if doc, ok := found[key]; ok {
			cards = append(cards, doc.card())
			continue
		}
		vd, err := findByID[versionDoc](ctx, d.versions, key, what)
		if errors.Is(err, apperr.ErrNotFound) {
			continue // as before cards: a course pointing to no version lists nothing
		}
		if err != nil {
			return nil, "", err
		}
		v := vd.version()
		if err := d.putCard(ctx, v); err != nil {
			return nil, "", err
		}
		cards = append(cards, course.CardOf(v))
	}
	d.cardCache.Keep(cards)
	return f.Select(cards), stamp, nil
}

// fillCards stores the card of every published version (migration
// "catalogue-cards-v1", for versions published before cards existed).
func (d *DB) fillCards(ctx context.Context) error {
	vs, err := findDocs[versionDoc](ctx, d.versions, bson.D{{Key: "status", Value: string(course.StatusPublished)}}, options.Find(), "published versions")
	if err != nil {
		return err
	}
	for i := range vs {
		if err := d.putCard(ctx, vs[i].version()); err != nil {
			return err
		}
	}
	return nil
}
