// Package web is ecitizen's web app: server-rendered pages for residents,
// volunteers, ward staff, partners and admins, served by the same binary at "/"
// while the JSON API stays at /api/v1.
//
// Pages are Go templates (templates/) around the same domain services the API
// calls (internal/app), with progressive enhancement: every page reads and every
// form posts without JavaScript; static/app.js only adds the camera scanner and
// small conveniences. Text comes from the message catalogues in locales/
// (Vietnamese first, English by a remembered switch); dates and times are shown in
// Asia/Ho_Chi_Minh and numbers in the reader's language.
//
// Files (templates/<file>_*.html and locales/<area>.{vi,en}.yaml follow the
// same names):
//   - web.go: Deps, New, the Gin engine and its middleware (request id, access
//     log, recovery and security headers from internal/httpx, shared with the API)
//   - routes.go: every page, in one place
//   - session.go: the signed, encrypted session cookie, sign-in state and CSRF
//   - i18n.go: message catalogues and the language switch
//   - render.go: templates, the view every page gets, formatting of dates and
//     numbers, error pages, and forms failing with their input kept
//   - form.go: form values and field errors shown next to their fields
//   - static.go: the stylesheet and script, gzipped and cached by content hash
//   - nav.go: the navigation and the home page's cards per role
//   - shared.go: what the areas share (select options, ward names, centres,
//     export downloads, QR images); chart.go: SVG bar and column charts
//   - auth.go: home, sign in and out, registration with an invite code, password
//   - courses.go (catalogue, lesson reader and quiz), courses_manage.go
//     (partners' courses and versions, admins' reviews), courses_editor.go (the
//     draft editor's fields and its add/move/remove buttons)
//   - volunteer.go (shifts to book), volunteer_me.go (bookings, waiting lists,
//     notifications, calendar feed), volunteer_checkin.go, volunteer_hours.go
//     (hours and certificates): the volunteer's pages
//   - residents.go, residents_quiz.go: residents and their progress (staff, and
//     volunteers on duty); residents_public.go: certificate verification and the
//     personal link page (public; templates public_*.html)
//   - staff.go (centres, shifts, series), staff_roster.go (rosters, the check-in
//     screen), staff_dashboard.go (coverage and its exports): the ward staff's pages
//   - partner.go (invite codes, volunteers, exports), partner_sessions.go
//     (training sessions and the public schedule /sessions): the partner's pages
//   - admin.go (wards, merges, organisations, accounts), admin_district.go
//     (targets, the district overview and its export): the admin's pages
package web
