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
// Files:
//   - web.go: Deps, New, the Gin engine and its middleware (security headers,
//     request id, access log, recovery)
//   - routes.go: every page, in one place
//   - session.go: the signed, encrypted session cookie, sign-in state and CSRF
//   - i18n.go: message catalogues and the language switch
//   - render.go: templates, the view every page gets, formatting of dates and numbers
//   - form.go: form values and field errors shown next to their fields
//   - staff.go (centres, shifts, series), staff_roster.go (rosters, the check-in
//     screen), staff_dashboard.go (coverage and its exports): the ward staff's pages
//   - auth.go, public.go, volunteer.go, staff.go, partner.go, admin.go: the pages
//     of each audience
//   - volunteer.go (shifts to book), volunteer_me.go (bookings, waiting lists,
//     notifications, calendar feed), volunteer_checkin.go, volunteer_hours.go
//     (hours and certificates): the volunteer's pages
//   - admin.go, admin_district.go (targets, district overview and export), partner.go,
//     partner_sessions.go (training sessions, the public schedule /sessions)
//   - courses.go (catalogue, course, lesson reader and quiz), courses_manage.go
//     (partners' courses, versions, editor; admins' reviews), courses_editor.go
//     (the editor's form fields and its add/move/remove buttons)
//   - residents.go, residents_quiz.go, residents_public.go: residents and their
//     progress (staff, volunteers on duty), certificate verification and the
//     personal link page (public); templates residents_*.html, public_verify.html,
//     public_certificate.html, public_personal.html
package web
