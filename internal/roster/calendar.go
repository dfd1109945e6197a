package roster

// Calendar feeds (RFC 5545): a secret URL per volunteer with their bookings, and
// one per centre with its shifts and how many places are booked (counts only, no
// names), e.g. for a screen at the ward office.
//
// A feed's token is 32 random bytes (base64url, 43 characters) that is shown once
// and stored only as its SHA-256, so a copy of the store reveals no live URL. The
// store keys a feed by that hash and has a second unique key (kind, owner): an
// owner has one live feed. Resetting it deletes the live feed (by its hash, which
// names it for ever) and inserts the new one; of concurrent resets each insert
// lands only while no other feed of the owner is live, so exactly one survives,
// on SQLite, MongoDB and FerretDB alike, without a transaction.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"

	"ecitizen/internal/apperr"
	"ecitizen/internal/directory"
	"ecitizen/internal/identity"
	"ecitizen/internal/page"
)

// FeedKind is whose calendar a feed shows.
type FeedKind string

// Feed kinds.
const (
	FeedUser   FeedKind = "user"   // a user's own bookings
	FeedCentre FeedKind = "centre" // a centre's shifts with their booked counts
	// FeedResident is a resident's personal link to their own progress
	// (progress.Service.ResetPersonalLink): the same secret-URL mechanism, no calendar.
	FeedResident FeedKind = "resident"
)

// CalendarFeed is a live feed URL. Hash is the hex SHA-256 of the secret token
// (the token itself is never stored); (Kind, OwnerID) is unique.
type CalendarFeed struct {
	Hash      string
	Kind      FeedKind
	OwnerID   string // the user's or the centre's id
	CreatedBy string
	CreatedAt time.Time
}

// CalendarStore is the storage of feeds. Adapters return errors wrapping
// apperr.ErrNotFound for a missing feed and apperr.ErrConflict for a taken Hash or
// a second feed of the same (Kind, OwnerID).
type CalendarStore interface {
	CreateCalendarFeed(ctx context.Context, f *CalendarFeed) error
	CalendarFeedByHash(ctx context.Context, hash string) (*CalendarFeed, error)
	// CalendarFeedOf returns the owner's live feed.
	CalendarFeedOf(ctx context.Context, kind FeedKind, ownerID string) (*CalendarFeed, error)
	// DeleteCalendarFeed deletes the feed with hash; a missing one is ErrNotFound.
	DeleteCalendarFeed(ctx context.Context, hash string) error
}

// Feeds show what starts from feedPast ago to feedAhead from now.
const (
	feedPast  = 30 * 24 * time.Hour
	feedAhead = 365 * 24 * time.Hour
	// maxFeedShifts caps the shifts of a centre feed (the earliest are kept).
	maxFeedShifts = 1000
	// feedTZ is the time zone of the events' local times (no daylight saving time).
	feedTZ = "Asia/Ho_Chi_Minh"
	// feedUIDDomain follows the shift id in an event's UID.
	feedUIDDomain = "@ecitizen"
	// replaceTries bounds ReplaceCalendarFeed's rounds against concurrent resets.
	replaceTries   = 50
	feedTokenBytes = 32
)

// FeedPath is the URL path of a feed token.
func FeedPath(token string) string { return "/api/v1/calendar/" + token + ".ics" }

// newFeedToken returns a new secret token and its hash.
func newFeedToken() (token, hash string, err error) {
	b := make([]byte, feedTokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("feed token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, hashFeedToken(token), nil
}

// hashFeedToken is how a token is stored: the hex SHA-256 of its text.
func hashFeedToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// wellFormedToken reports whether token could have been issued by newFeedToken.
func wellFormedToken(token string) bool {
	if len(token) != base64.RawURLEncoding.EncodedLen(feedTokenBytes) {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	return err == nil && len(b) == feedTokenBytes
}

var errNoFeed = fmt.Errorf("calendar feed: %w", apperr.ErrNotFound)

// ReplaceCalendarFeed makes f the one live feed of its owner: it deletes the live
// feed, if any, by its hash and inserts f. When a concurrent replace inserted its
// feed in between (the insert is a conflict on (Kind, OwnerID)), it deletes that
// one and tries again, so the last insert wins and exactly one feed stays live.
func ReplaceCalendarFeed(ctx context.Context, st CalendarStore, f *CalendarFeed) error {
	for try := range replaceTries {
		old, err := st.CalendarFeedOf(ctx, f.Kind, f.OwnerID)
		switch {
		case err == nil:
			if err := st.DeleteCalendarFeed(ctx, old.Hash); err != nil && !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
		case !errors.Is(err, apperr.ErrNotFound):
			return err
		}
		err = st.CreateCalendarFeed(ctx, f)
		if !errors.Is(err, apperr.ErrConflict) {
			return err // nil, or a failure
		}
		// Another reset landed between the delete and the insert; let it finish.
		backoff := time.Duration(min(try+1, 10)) * time.Millisecond
		t := time.NewTimer(backoff + mrand.N(backoff))
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("replace calendar feed: %w: %w", apperr.ErrUnavailable, ctx.Err())
		case <-t.C:
		}
	}
	return fmt.Errorf("replace calendar feed of %s %s: %d concurrent resets won: %w", f.Kind, f.OwnerID, replaceTries, apperr.ErrConflict)
}

// issueFeed replaces the owner's feed with a new one and returns its token.
func (s *Service) issueFeed(ctx context.Context, kind FeedKind, ownerID, by string) (string, error) {
	return IssueFeed(ctx, s.store, kind, ownerID, by, s.timestamp())
}

// IssueFeed makes a new secret token the one live feed of an owner
// (ReplaceCalendarFeed) and returns the token; the owner's previous token stops
// working at once. Only the token's hash is stored.
func IssueFeed(ctx context.Context, st CalendarStore, kind FeedKind, ownerID, by string, at time.Time) (string, error) {
	token, hash, err := newFeedToken()
	if err != nil {
		return "", err
	}
	f := &CalendarFeed{Hash: hash, Kind: kind, OwnerID: ownerID, CreatedBy: by, CreatedAt: at}
	if err := ReplaceCalendarFeed(ctx, st, f); err != nil {
		return "", fmt.Errorf("calendar feed of %s %s: %w", kind, ownerID, err)
	}
	return token, nil
}

// FeedByToken returns the live feed of a secret token; a malformed, unknown or
// replaced token wraps apperr.ErrNotFound.
func FeedByToken(ctx context.Context, st CalendarStore, token string) (*CalendarFeed, error) {
	if !wellFormedToken(token) {
		return nil, errNoFeed
	}
	f, err := st.CalendarFeedByHash(ctx, hashFeedToken(token))
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, errNoFeed
	}
	return f, err
}

// DeleteFeedOf ends the owner's live feed, if any.
func DeleteFeedOf(ctx context.Context, st CalendarStore, kind FeedKind, ownerID string) error {
	f, err := st.CalendarFeedOf(ctx, kind, ownerID)
	if err == nil {
		err = st.DeleteCalendarFeed(ctx, f.Hash)
	}
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return fmt.Errorf("delete calendar feed: %w", err)
	}
	return nil
}

// ResetMyFeed gives the caller a new feed of their bookings and returns its
// token; their previous feed URL stops working at once.
func (s *Service) ResetMyFeed(ctx context.Context, c identity.Caller) (string, error) {
	if c.UserID == "" {
		return "", apperr.ErrUnauthorized
	}
	return s.issueFeed(ctx, FeedUser, c.UserID, c.UserID)
}

// DeleteMyFeed ends the caller's feed, if they have one.
func (s *Service) DeleteMyFeed(ctx context.Context, c identity.Caller) error {
	if c.UserID == "" {
		return apperr.ErrUnauthorized
	}
	return DeleteFeedOf(ctx, s.store, FeedUser, c.UserID)
}

// ResetCentreFeed gives an active centre a new feed of its shifts and returns its
// token; the previous URL stops working at once. Admins and the staff of the
// centre's ward may; for other ward staff the centre is not found.
func (s *Service) ResetCentreFeed(ctx context.Context, c identity.Caller, centreID string) (string, error) {
	centre, err := s.centres.ActiveCentre(ctx, centreID)
	if err != nil {
		return "", err
	}
	if !manages(c, centre.WardID) {
		if c.Role == identity.RoleWardStaff {
			return "", fmt.Errorf("centre %s: %w", centreID, apperr.ErrNotFound)
		}
		return "", apperr.ErrForbidden
	}
	return s.issueFeed(ctx, FeedCentre, centre.ID, c.UserID)
}

// Feed renders the calendar of a feed token (RFC 5545, CRLF lines). An unknown,
// malformed or replaced token is ErrNotFound.
//
// A user feed lists the user's bookings of shifts starting from 30 days ago to a
// year ahead; once the user is no longer an active volunteer it is empty. A centre
// feed lists the centre's shifts of that window, cancelled ones as CANCELLED, each
// with its booked and total places, and nobody's name.
func (s *Service) Feed(ctx context.Context, token string) ([]byte, error) {
	f, err := FeedByToken(ctx, s.store, token)
	if err != nil {
		return nil, err
	}
	r := &feedRenderer{s: s, now: s.timestamp(), centres: map[string]*directory.Centre{}}
	from, to := r.now.Add(-feedPast), r.now.Add(feedAhead)
	switch f.Kind {
	case FeedUser:
		err = r.user(ctx, f.OwnerID, from, to)
	case FeedCentre:
		err = r.centre(ctx, f.OwnerID, from, to)
	default:
		return nil, errNoFeed
	}
	if err != nil {
		return nil, fmt.Errorf("calendar feed %s %s: %w", f.Kind, f.OwnerID, err)
	}
	var b bytes.Buffer
	if err := r.cal.SerializeTo(&b, ics.WithNewLineWindows); err != nil {
		return nil, fmt.Errorf("render calendar feed: %w", err)
	}
	return b.Bytes(), nil
}

// feedRenderer builds one feed's calendar.
type feedRenderer struct {
	s       *Service
	now     time.Time
	cal     *ics.Calendar
	centres map[string]*directory.Centre // nil entries: unknown or inactive
}

// start begins the calendar: its name, and the one time zone its events use.
func (r *feedRenderer) start(name string) {
	cal := ics.NewCalendarFor("ecitizen") // VERSION:2.0 and a PRODID
	cal.SetProductId("-//ecitizen//Volunteer shifts//VI")
	cal.SetCalscale("GREGORIAN")
	cal.SetXWRCalName(name)
	cal.SetXWRTimezone(feedTZ)
	cal.SetXPublishedTTL("PT1H")
	cal.SetRefreshInterval("PT1H") // golang-ical names it "REFRESH-INTERVAL;VALUE=DURATION"
	tz := cal.AddTimezone(feedTZ)
	std := tz.AddStandard()
	std.SetProperty(ics.ComponentPropertyDtStart, "19700101T000000")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), "+0700")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), "+0700")
	std.SetProperty(ics.ComponentProperty(ics.PropertyTzname), "ICT")
	r.cal = cal
}

// centreOf returns an active centre, nil when it is unknown or inactive (its
// events then carry no location).
func (r *feedRenderer) centreOf(ctx context.Context, id string) (*directory.Centre, error) {
	if c, ok := r.centres[id]; ok {
		return c, nil
	}
	c, err := r.s.centres.ActiveCentre(ctx, id)
	if err != nil && !errors.Is(err, apperr.ErrNotFound) {
		return nil, err
	}
	r.centres[id] = c // nil when not found
	return c, nil
}

// event adds a shift as an event: UID from the shift id, local times in feedTZ.
func (r *feedRenderer) event(ctx context.Context, sh *Shift, modified time.Time, description string) error {
	centre, err := r.centreOf(ctx, sh.CentreID)
	if err != nil {
		return err
	}
	local := func(t time.Time) string { return t.In(r.s.loc).Format("20060102T150405") }
	ev := r.cal.AddEvent(sh.ID + feedUIDDomain)
	ev.SetDtStampTime(r.now)
	ev.SetCreatedTime(sh.CreatedAt)
	ev.SetModifiedAt(modified)
	ev.SetProperty(ics.ComponentPropertyDtStart, local(sh.StartsAt), ics.WithTZID(feedTZ))
	ev.SetProperty(ics.ComponentPropertyDtEnd, local(sh.EndsAt), ics.WithTZID(feedTZ))
	ev.SetSummary(sh.Title)
	if centre != nil {
		ev.SetLocation(strings.TrimSpace(centre.Name + ", " + centre.Address))
	}
	if description != "" {
		ev.SetDescription(description)
	}
	if sh.Status == StatusCancelled {
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	return nil
}

// roleNames are the shift roles in both languages.
var roleNames = map[Role]string{
	RoleGuide:     "hướng dẫn dịch vụ công (guide)",
	RoleTrainer:   "giảng dạy (trainer)",
	RoleEquipment: "thiết bị (equipment)",
}

// user fills a user's feed with their bookings starting in [from, to).
func (r *feedRenderer) user(ctx context.Context, userID string, from, to time.Time) error {
	r.start("Ca trực tình nguyện của tôi")
	if err := r.s.people.CheckVolunteer(ctx, userID); err != nil {
		if errors.Is(err, apperr.ErrNotFound) {
			return nil // not (or no longer) an active volunteer: nothing to show
		}
		return err
	}
	bs, err := r.s.store.BookingsOfVolunteer(ctx, userID, from, to)
	if err != nil {
		return err
	}
	for _, b := range bs {
		sh, err := r.s.store.ShiftByID(ctx, b.ShiftID)
		if errors.Is(err, apperr.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		desc := fmt.Sprintf("Vai trò: %s\nChỗ số %d (place %d)", roleNames[sh.Role], b.Place, b.Place)
		if notes := strings.TrimSpace(sh.Notes); notes != "" {
			desc += "\n\n" + notes
		}
		if err := r.event(ctx, sh, latest(sh.UpdatedAt, b.BookedAt), desc); err != nil {
			return err
		}
	}
	return nil
}

// centre fills a centre's feed with its shifts starting in [from, to), each with
// the number of places booked.
func (r *feedRenderer) centre(ctx context.Context, centreID string, from, to time.Time) error {
	c, err := r.centreOf(ctx, centreID)
	if err != nil {
		return err
	}
	name := "Ca trực tình nguyện"
	if c != nil {
		name += " – " + c.Name
	}
	r.start(name)
	ss, err := r.s.store.ListShifts(ctx, ShiftFilter{CentreID: centreID, From: from, To: to}, page.Request{Limit: maxFeedShifts})
	if err != nil {
		return err
	}
	if len(ss) > maxFeedShifts {
		ss = ss[:maxFeedShifts]
	}
	for _, sh := range ss {
		modified, booked := sh.UpdatedAt, 0
		if sh.Status != StatusCancelled { // a cancelled shift keeps no bookings
			bs, err := r.s.store.Bookings(ctx, sh.ID)
			if err != nil {
				return err
			}
			booked = len(bs)
			for _, b := range bs {
				modified = latest(modified, b.BookedAt)
			}
		}
		desc := fmt.Sprintf("Vai trò: %s\nĐã đăng ký %d/%d chỗ (%d of %d places booked)", roleNames[sh.Role], booked, sh.Places, booked, sh.Places)
		if sh.Status == StatusCancelled {
			desc = "Ca trực đã bị huỷ (the shift is cancelled)"
		}
		if err := r.event(ctx, sh, modified, desc); err != nil {
			return err
		}
	}
	return nil
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
