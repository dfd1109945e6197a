package httpapi

import (
	"github.com/gin-gonic/gin"

	"ecitizen/internal/identity"
)

// routes is the whole API surface. Every route here is in api/openapi.yaml and in
// the authorisation matrix test; a test fails when they drift apart.
func (h *handler) routes(r *gin.Engine) {
	var (
		admin     = requireRole(identity.RoleAdmin)
		staff     = requireRole(identity.RoleAdmin, identity.RoleWardStaff)
		partners  = requireRole(identity.RoleAdmin, identity.RolePartner)
		userReach = requireRole(identity.RoleAdmin, identity.RoleWardStaff, identity.RolePartner)
		// retrySafe replays the first response of a request retried with the same
		// Idempotency-Key (creates and actions; not those answering with secrets).
		retrySafe = h.idempotent
	)
	r.GET("/healthz", h.healthz)
	r.GET("/readyz", h.readyz)
	r.GET("/api/openapi.yaml", h.openapi)

	v1 := r.Group("/api/v1")
	open := v1.Group("", h.authenticateOptional) // anonymous allowed; a token sent must be valid
	auth := v1.Group("", h.authenticate)

	// Identity: sessions.
	v1.POST("/auth/login", h.login)
	v1.POST("/auth/refresh", h.refresh)
	v1.POST("/auth/register", h.register)
	auth.POST("/auth/logout", h.logout)
	auth.GET("/me", h.me)
	auth.PATCH("/me", h.updateMe)
	auth.POST("/me/password", h.changePassword)

	// Identity: accounts.
	auth.GET("/users", userReach, h.listUsers)
	auth.POST("/users", admin, h.createUser)
	auth.GET("/users/:id", userReach, h.getUser)
	auth.PATCH("/users/:id", partners, h.updateUser)

	// Directory: wards and centres (public reads: residents look for a centre).
	open.GET("/wards", h.listWards)
	open.GET("/wards/:id", h.getWard)
	auth.POST("/wards", admin, retrySafe, h.createWard)
	auth.PATCH("/wards/:id", admin, h.updateWard)
	open.GET("/wards/:id/centres", h.listCentres)
	auth.POST("/wards/:id/centres", staff, retrySafe, h.createCentre)
	open.GET("/centres/:id", h.getCentre)
	auth.PATCH("/centres/:id", staff, h.updateCentre)

	// Directory: organisations and their invite codes.
	auth.GET("/organisations", h.listOrganisations)
	auth.POST("/organisations", admin, retrySafe, h.createOrganisation)
	auth.GET("/organisations/:id", h.getOrganisation)
	auth.PATCH("/organisations/:id", admin, h.updateOrganisation)
	auth.GET("/organisations/:id/invites", partners, h.listInvites)
	auth.POST("/organisations/:id/invites", partners, retrySafe, h.createInvite)
	auth.DELETE("/organisations/:id/invites/:invite_id", partners, h.revokeInvite)

	// Courses: the public catalogue (residents learn without an account).
	open.GET("/courses", h.listCourses)
	open.GET("/courses/:id", h.getCourse)
	open.GET("/courses/:id/lessons/:lesson_id", h.getLesson)

	// Courses: learning records of signed-in learners.
	auth.POST("/courses/:id/start", retrySafe, h.startCourse)
	auth.POST("/courses/:id/lessons/:lesson_id/complete", retrySafe, h.completeLesson)
	auth.POST("/courses/:id/lessons/:lesson_id/attempts", retrySafe, h.submitAttempt)
	auth.GET("/me/courses", h.myCourses)
	auth.GET("/me/courses/:id", h.myCourse)

	// Courses: authoring by partners, review by admins.
	auth.GET("/manage/courses", partners, h.listManagedCourses)
	auth.POST("/manage/courses", partners, retrySafe, h.createCourse)
	auth.GET("/manage/courses/:id", partners, h.getManagedCourse)
	auth.POST("/manage/courses/:id/archive", partners, retrySafe, h.archiveCourse)
	auth.POST("/manage/courses/:id/versions", partners, retrySafe, h.newVersion)
	auth.GET("/manage/courses/:id/versions/:number", partners, h.getVersion)
	auth.PUT("/manage/courses/:id/versions/:number", partners, h.updateVersion)
	auth.POST("/manage/courses/:id/versions/:number/transitions", partners, retrySafe, h.transitionVersion)

	// Training sessions: public schedule; partners run them; learners take places.
	open.GET("/sessions", h.listSessions)
	open.GET("/sessions/:id", h.getSession)
	auth.POST("/sessions", partners, retrySafe, h.createSession)
	auth.PUT("/sessions/:id", partners, h.updateSession)
	auth.POST("/sessions/:id/cancel", partners, retrySafe, h.cancelSession)
	auth.GET("/sessions/:id/enrolments", h.listEnrolments)
	auth.POST("/sessions/:id/enrolments", retrySafe, h.enrol)
	auth.DELETE("/sessions/:id/enrolments/:number", h.withdraw)
	auth.PATCH("/sessions/:id/enrolments/:number", h.markAttendance)
	auth.GET("/me/sessions", h.mySessions)

	// Volunteer rosters: shifts at centres, run by the ward's staff, booked by volunteers.
	auth.GET("/centres/:id/shifts", h.listCentreShifts)
	auth.POST("/centres/:id/shifts", staff, retrySafe, h.createShift)
	auth.GET("/shifts/:id", h.getShift)
	auth.PUT("/shifts/:id", staff, h.updateShift)
	auth.POST("/shifts/:id/cancel", staff, retrySafe, h.cancelShift)
	auth.GET("/shifts/:id/roster", staff, h.getRoster)
	auth.POST("/shifts/:id/bookings", retrySafe, h.book)
	auth.DELETE("/shifts/:id/bookings/me", h.cancelMyBooking)
	auth.DELETE("/shifts/:id/waiting/me", h.leaveWaiting)
	auth.POST("/shifts/:id/assignments", staff, retrySafe, h.assign)
	auth.DELETE("/shifts/:id/assignments/:volunteer_id", staff, h.unassign)
	auth.GET("/me/bookings", h.myBookings)
	auth.GET("/me/waiting", h.myWaiting)

	// Attendance: a rotating check-in code on each centre's screen; volunteers check
	// in and out with it, staff without it; the hours ledger.
	auth.GET("/centres/:id/checkin-code", staff, h.getCheckinCode)
	auth.POST("/shifts/:id/checkin", retrySafe, h.checkIn)
	auth.POST("/shifts/:id/checkout", retrySafe, h.checkOut)
	auth.POST("/shifts/:id/attendance/:volunteer_id", staff, retrySafe, h.recordAttendance)
	auth.POST("/volunteers/:id/work-entries", staff, retrySafe, h.addWorkEntry)
	auth.GET("/me/hours", h.myHours)
	auth.GET("/volunteers/:id/hours", h.volunteerHours)
	auth.GET("/centres/:id/hours", staff, h.centreHours)
	auth.GET("/wards/:id/hours", staff, h.wardHours)
	auth.GET("/organisations/:id/hours", partners, h.organisationHours)

	// No-shows: staff confirm or excuse a booking of an ended shift without a
	// check-in; confirmed no-shows suspend self-booking (the caller's standing).
	auth.POST("/shifts/:id/no-shows/:volunteer_id", staff, retrySafe, h.decideNoShow)
	auth.GET("/me/standing", h.myStanding)

	// Notifications: each user's own outbox (bookings, promotions, changes, reminders).
	auth.GET("/me/notifications", h.myNotifications)
	auth.POST("/me/notifications/:id/read", h.readNotification)

	// Calendar feeds: secret iCalendar URLs of a volunteer's bookings and of a
	// centre's shifts; the feed itself is public to whoever holds its URL.
	auth.POST("/me/calendar", h.resetMyCalendar)
	auth.DELETE("/me/calendar", h.deleteMyCalendar)
	auth.POST("/centres/:id/calendar", staff, h.resetCentreCalendar)
	v1.GET("/calendar/:token", h.getCalendar)

	// Equipment at centres: devices (any signed-in user picks one; staff manage
	// them) and the usage log kept by the volunteer on duty, with totals per
	// purpose; staff void a session recorded in error.
	auth.GET("/centres/:id/devices", h.listDevices)
	auth.POST("/centres/:id/devices", staff, retrySafe, h.createDevice)
	auth.PATCH("/devices/:id", staff, h.updateDevice)
	auth.POST("/centres/:id/device-usage", retrySafe, h.logUsage)
	auth.GET("/centres/:id/device-usage", staff, h.usageReport)
	auth.POST("/device-usage/:id/void", staff, retrySafe, h.voidUsage)
	// Hours certificates: volunteers issue their own; the PDF for those who oversee
	// the holder; revocation by admins and the staff of a ward it counts; anyone
	// verifies a code (no token needed, none checked).
	auth.POST("/me/hours-certificates", h.issueHoursCertificate)
	auth.GET("/me/hours-certificates", h.myHoursCertificates)
	auth.GET("/certificates/:code/pdf", h.getCertificatePDF)
	auth.POST("/certificates/:code/revoke", staff, h.revokeCertificate)
	v1.GET("/verify/:code", h.verifyCertificate)
	// Recurring shifts: weekly series of shifts at a centre, run by the ward's staff;
	// each occurrence is a shift ("this shift" is PUT /shifts/:id and its cancel).
	auth.GET("/centres/:id/shift-series", staff, h.listCentreSeries)
	auth.POST("/centres/:id/shift-series", staff, retrySafe, h.createSeries)
	auth.GET("/shift-series/:id", staff, h.getSeries)
	auth.PUT("/shift-series/:id", staff, h.updateSeries)
	auth.POST("/shift-series/:id/cancel", staff, retrySafe, h.cancelSeries)
	auth.DELETE("/shift-series/:id", staff, h.removeSeries)
	// Residents (Decree 13/2023/NĐ-CP): the public consent text; registration with
	// consent by ward staff or the volunteer on duty; search within scope; phone
	// and national ID revealed only to staff with an audited reason (never
	// replayed); erasure keeps the anonymous record.
	v1.GET("/consent", h.getConsent)
	auth.POST("/residents", retrySafe, h.registerResident)
	auth.GET("/wards/:id/residents", h.searchResidents)
	auth.GET("/residents/:id", h.getResident)
	auth.PATCH("/residents/:id", staff, h.updateResident)
	auth.POST("/residents/:id/reveal", staff, h.revealResident)
	auth.POST("/residents/:id/erase", staff, retrySafe, h.eraseResident)
	auth.GET("/wards/:id/audit", staff, h.wardAudit)
	// Bulk import of residents from a CSV file, with a per-row report.
	auth.POST("/wards/:id/residents/import", staff, retrySafe, h.importResidents)

	// Progress: records of skills shown (ward staff; volunteers on duty in the
	// resident's ward, ±10 min), revocations by staff, and e-citizen status.
	auth.POST("/residents/:id/progress", retrySafe, h.recordProgress)
	auth.GET("/residents/:id/progress", h.listProgress)
	auth.POST("/progress/:record_id/revoke", staff, retrySafe, h.revokeProgress)
	auth.GET("/residents/:id/status", h.residentStatus)
	auth.POST("/residents/:id/quiz-attempts", retrySafe, h.assistQuiz)
	auth.GET("/residents/:id/quiz-attempts", h.listAssistedQuizzes)

	// A resident's personal link: a secret URL (no retrySafe: the response holds
	// it) that shows the resident their own progress without an account.
	auth.POST("/residents/:id/personal-link", h.resetPersonalLink)
	auth.DELETE("/residents/:id/personal-link", h.deletePersonalLink)
	v1.GET("/personal/:token", h.getPersonal)

	// Coverage targets (per ward and year; the district's share per year) and
	// ward merges (2025 reform: residents, centres and future shifts move).
	auth.GET("/wards/:id/targets", staff, h.listWardTargets)
	auth.PUT("/wards/:id/targets/:year", admin, h.putWardTarget)
	auth.GET("/district/targets", staff, h.listDistrictTargets)
	auth.PUT("/district/targets/:year", admin, h.putDistrictTarget)
	auth.POST("/wards/:id/merge", admin, retrySafe, h.mergeWard)
	// Coverage: summaries from per-ward snapshots kept while the ward is unchanged
	// (internal/coverage); ward staff read their wards', admins everything.
	auth.GET("/wards/:id/coverage", staff, h.wardCoverage)
	auth.GET("/wards/:id/coverage/trends", staff, h.wardTrends)
	auth.GET("/centres/:id/coverage", staff, h.centreCoverage)
	auth.GET("/district/coverage", admin, h.districtCoverage)
	auth.GET("/district/coverage/trends", admin, h.districtTrends)
	auth.GET("/wards/:id/coverage/export", staff, h.exportWardCoverage)
	auth.GET("/centres/:id/coverage/export", staff, h.exportCentreCoverage)
	auth.GET("/district/coverage/export", admin, h.exportDistrictCoverage)
	// Partner view: an organisation's courses, training sessions and volunteers'
	// hours over a range of days, and its tables as CSV or XLSX files.
	auth.GET("/organisations/:id/coverage", partners, h.getPartnerCoverage)
	auth.GET("/organisations/:id/coverage/export", partners, h.exportPartnerCoverage)
}
