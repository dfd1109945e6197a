package httpapi

import (
	"net/http"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the parser loads the feed's TZID wherever the tests run

	ics "github.com/arran4/golang-ical"
	"github.com/getkin/kin-openapi/openapi3filter"

	"ecitizen/internal/store/storetest"
)

func init() {
	// The contract checks response bodies by media type: a feed is text.
	openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder)
}

// newFeed creates (or resets) a feed by POST to path and returns its URL and token.
func (e *testEnv) newFeed(token, path string) (url, secret string) {
	e.t.Helper()
	rec := e.do("POST", path, token, nil)
	mustStatus(e.t, rec, http.StatusCreated)
	var out calendarFeedJSON
	decodeBody(e.t, rec, &out)
	if out.Token == "" || out.URL != "/api/v1/calendar/"+out.Token+".ics" {
		e.t.Fatalf("feed %+v: want url /api/v1/calendar/{token}.ics", out)
	}
	return out.URL, out.Token
}

// feed fetches a feed anonymously, checks its headers and line ends, and parses it
// with golang-ical.
func (e *testEnv) feed(url string) (*ics.Calendar, string) {
	e.t.Helper()
	rec := e.do("GET", url, "", nil)
	mustStatus(e.t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		e.t.Errorf("Content-Type %q", ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "private, max-age=300" {
		e.t.Errorf("Cache-Control %q", cc)
	}
	body := rec.Body.String()
	if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") || !strings.HasSuffix(body, "END:VCALENDAR\r\n") {
		e.t.Errorf("feed lines do not all end in CRLF:\n%q", body)
	}
	if !strings.Contains(body, "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n") {
		e.t.Errorf("no REFRESH-INTERVAL;VALUE=DURATION:PT1H line:\n%s", body)
	}
	for _, line := range strings.Split(body, "\r\n") {
		if len(line) > 75 {
			e.t.Errorf("line of %d octets: %q", len(line), line)
		}
	}
	cal, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		e.t.Fatalf("parse feed: %v\n%s", err, body)
	}
	return cal, body
}

// feedGone checks that a feed URL answers 404 not_found.
func (e *testEnv) feedGone(url string) {
	e.t.Helper()
	assertProblem(e.t, e.do("GET", url, "", nil), http.StatusNotFound, "not_found")
}

func calProp(cal *ics.Calendar, p ics.Property) string {
	for _, cp := range cal.CalendarProperties {
		if cp.IANAToken == string(p) {
			return cp.Value
		}
	}
	return ""
}

// eventsByUID returns a feed's events by UID.
func eventsByUID(cal *ics.Calendar) map[string]*ics.VEvent {
	out := map[string]*ics.VEvent{}
	for _, ev := range cal.Events() {
		out[ev.Id()] = ev
	}
	return out
}

func evProp(ev *ics.VEvent, p ics.ComponentProperty) string {
	if prop := ev.GetProperty(p); prop != nil {
		return prop.Value
	}
	return ""
}

// checkHeader checks what every feed carries: version, product, name and the
// Asia/Ho_Chi_Minh time zone at +07:00.
func checkHeader(t *testing.T, cal *ics.Calendar, name string) {
	t.Helper()
	if v := calProp(cal, ics.PropertyVersion); v != "2.0" {
		t.Errorf("VERSION %q", v)
	}
	if p := calProp(cal, ics.PropertyProductId); !strings.Contains(p, "ecitizen") {
		t.Errorf("PRODID %q", p)
	}
	if n := calProp(cal, ics.PropertyXWRCalName); !strings.Contains(n, name) {
		t.Errorf("X-WR-CALNAME %q, want it to contain %q", n, name)
	}
	tzs := cal.Timezones()
	if len(tzs) != 1 || tzs[0].GetProperty(ics.ComponentPropertyTzid).Value != "Asia/Ho_Chi_Minh" {
		t.Fatalf("time zones %+v", tzs)
	}
	subs := tzs[0].SubComponents()
	if len(subs) != 1 {
		t.Fatalf("VTIMEZONE has %d sub-components, want one STANDARD", len(subs))
	}
	std, ok := subs[0].(*ics.Standard)
	if !ok {
		t.Fatalf("VTIMEZONE sub-component %T", subs[0])
	}
	for _, p := range []ics.Property{ics.PropertyTzoffsetfrom, ics.PropertyTzoffsetto} {
		if v := std.GetProperty(ics.ComponentProperty(p)); v == nil || v.Value != "+0700" {
			t.Errorf("%s %+v, want +0700", p, v)
		}
	}
}

// checkEvent checks an event of a shift: times in Asia/Ho_Chi_Minh, title, place, status.
func checkEvent(t *testing.T, ev *ics.VEvent, title string, start, end time.Time, status string) {
	t.Helper()
	for p, want := range map[ics.ComponentProperty]time.Time{ics.ComponentPropertyDtStart: start, ics.ComponentPropertyDtEnd: end} {
		prop := ev.GetProperty(p)
		if prop == nil {
			t.Fatalf("%s missing", p)
		}
		if tz := prop.ICalParameters["TZID"]; len(tz) != 1 || tz[0] != "Asia/Ho_Chi_Minh" {
			t.Errorf("%s TZID %v", p, tz)
		}
		if local := want.In(hanoi).Format("20060102T150405"); prop.Value != local {
			t.Errorf("%s %q, want %q", p, prop.Value, local)
		}
	}
	if got, err := ev.GetStartAt(); err != nil || !got.Equal(start) {
		t.Errorf("start %v (%v), want %v", got, err, start)
	}
	if got, err := ev.GetEndAt(); err != nil || !got.Equal(end) {
		t.Errorf("end %v (%v), want %v", got, err, end)
	}
	if s := evProp(ev, ics.ComponentPropertySummary); s != title {
		t.Errorf("SUMMARY %q, want %q", s, title)
	}
	if l := evProp(ev, ics.ComponentPropertyLocation); l != "Nhà sinh hoạt cộng đồng tổ 12, Số 5 ngõ 12 phố Bạch Đằng" {
		t.Errorf("LOCATION %q", l)
	}
	if s := evProp(ev, ics.ComponentPropertyStatus); s != status {
		t.Errorf("STATUS %q, want %s", s, status)
	}
	for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtstamp, ics.ComponentPropertyLastModified} {
		if v := evProp(ev, p); !strings.HasSuffix(v, "Z") {
			t.Errorf("%s %q, want a UTC time", p, v)
		}
	}
}

func TestCalendarFeeds(t *testing.T) {
	for _, ad := range storetest.Adapters(t) {
		t.Run(ad.Name, func(t *testing.T) {
			env := newTestEnv(t, ad)
			w := newRosterWorld(t, env, "C"+ad.Name)
			ids, vols := w.volunteers(t, 2)
			start := localTime(3, 9, 30)
			booked := w.shift(t, "Hướng dẫn dịch vụ công trực tuyến", start, 2, 5)
			other := w.shift(t, "Bảo trì máy tính", localTime(4, 14, 0), 3, 2)
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+booked+"/bookings", vols[0], map[string]bool{}), http.StatusCreated)
			mustStatus(t, env.do("POST", "/api/v1/shifts/"+other+"/bookings", vols[1], map[string]bool{}), http.StatusCreated)

			t.Run("VolunteerFeed", func(t *testing.T) {
				e := env.sub(t)
				url, token := e.newFeed(vols[0], "/api/v1/me/calendar")
				cal, _ := e.feed(url)
				checkHeader(t, cal, "Ca trực")
				evs := eventsByUID(cal)
				if len(evs) != 1 || evs[booked+"@ecitizen"] == nil {
					t.Fatalf("events %v, want only the booked shift %s@ecitizen", evs, booked)
				}
				checkEvent(t, evs[booked+"@ecitizen"], "Hướng dẫn dịch vụ công trực tuyến", start, start.Add(2*time.Hour), "CONFIRMED")
				// The token without ".ics" names the same feed.
				plain, _ := e.feed("/api/v1/calendar/" + token)
				if len(plain.Events()) != 1 {
					t.Fatalf("without .ics: %d events", len(plain.Events()))
				}

				// A reset ends the old URL at once; the new one works.
				url2, token2 := e.newFeed(vols[0], "/api/v1/me/calendar")
				if token2 == token {
					t.Fatal("a reset kept the token")
				}
				e.feedGone(url)
				e.feedGone("/api/v1/calendar/" + token)
				cal, _ = e.feed(url2)
				if len(cal.Events()) != 1 {
					t.Fatalf("new feed: %d events", len(cal.Events()))
				}

				// Giving up the place takes the event off the feed.
				mustStatus(t, e.do("DELETE", "/api/v1/shifts/"+booked+"/bookings/me", vols[0], nil), http.StatusNoContent)
				cal, _ = e.feed(url2)
				if len(cal.Events()) != 0 {
					t.Fatalf("after cancelling: %d events", len(cal.Events()))
				}
				mustStatus(t, e.do("POST", "/api/v1/shifts/"+booked+"/bookings", vols[0], map[string]bool{}), http.StatusCreated)

				// Ending the feed, twice.
				mustStatus(t, e.do("DELETE", "/api/v1/me/calendar", vols[0], nil), http.StatusNoContent)
				e.feedGone(url2)
				mustStatus(t, e.do("DELETE", "/api/v1/me/calendar", vols[0], nil), http.StatusNoContent)
			})

			t.Run("DisabledVolunteer", func(t *testing.T) {
				e := env.sub(t)
				url, _ := e.newFeed(vols[1], "/api/v1/me/calendar")
				cal, _ := e.feed(url)
				if len(cal.Events()) != 1 {
					t.Fatalf("%d events, want 1", len(cal.Events()))
				}
				mustStatus(t, e.do("PATCH", "/api/v1/users/"+ids[1], w.admin, map[string]string{"status": "disabled"}), http.StatusOK)
				cal, _ = e.feed(url)
				if len(cal.Events()) != 0 {
					t.Fatalf("a disabled volunteer's feed shows %d events", len(cal.Events()))
				}
				mustStatus(t, e.do("PATCH", "/api/v1/users/"+ids[1], w.admin, map[string]string{"status": "active"}), http.StatusOK)
			})

			t.Run("CentreFeed", func(t *testing.T) {
				e := env.sub(t)
				path := "/api/v1/centres/" + w.centreA + "/calendar"
				assertProblem(t, e.do("POST", path, w.staffB, nil), http.StatusNotFound, "not_found")
				assertProblem(t, e.do("POST", path, vols[0], nil), http.StatusForbidden, "forbidden")
				assertProblem(t, e.do("POST", "/api/v1/centres/no-such-centre/calendar", w.admin, nil), http.StatusNotFound, "not_found")
				url, _ := e.newFeed(w.staffA, path)
				cal, body := e.feed(url)
				checkHeader(t, cal, "Nhà sinh hoạt cộng đồng tổ 12")
				evs := eventsByUID(cal)
				if len(evs) != 2 || evs[booked+"@ecitizen"] == nil || evs[other+"@ecitizen"] == nil {
					t.Fatalf("events %v, want both shifts", evs)
				}
				checkEvent(t, evs[booked+"@ecitizen"], "Hướng dẫn dịch vụ công trực tuyến", start, start.Add(2*time.Hour), "CONFIRMED")
				for uid, want := range map[string]string{booked: "1/5", other: "1/2"} {
					if d := evProp(evs[uid+"@ecitizen"], ics.ComponentPropertyDescription); !strings.Contains(d, want) {
						t.Errorf("DESCRIPTION of %s %q, want the booked count %s", uid, d, want)
					}
				}
				// Counts only: nobody's id or name.
				unfolded := strings.ReplaceAll(body, "\r\n ", "")
				for _, s := range append(ids, "Tình nguyện viên") {
					if strings.Contains(unfolded, s) {
						t.Errorf("the centre feed names %q", s)
					}
				}

				// Ward A's staff and the admin may reset it; the old URL ends at once.
				url2, _ := e.newFeed(w.admin, path)
				e.feedGone(url)
				e.feed(url2)

				// A cancelled shift stays on the centre's feed, as cancelled.
				mustStatus(t, e.do("POST", "/api/v1/shifts/"+other+"/cancel", w.staffA, map[string]string{"reason": "Mất điện"}), http.StatusOK)
				cal, _ = e.feed(url2)
				if s := evProp(eventsByUID(cal)[other+"@ecitizen"], ics.ComponentPropertyStatus); s != "CANCELLED" {
					t.Errorf("cancelled shift STATUS %q", s)
				}
			})

			t.Run("UnknownTokens", func(t *testing.T) {
				e := env.sub(t)
				for _, tok := range []string{"abc", "abc.ics", strings.Repeat("A", 43) + ".ics", strings.Repeat("A", 43), "%7B%22%24ne%22%3A%22%22%7D.ics"} {
					e.feedGone("/api/v1/calendar/" + tok)
				}
			})
		})
	}
}
