package web

import (
	"github.com/gin-gonic/gin"

	"ecitizen/internal/identity"
)

// routes is the whole web surface. Unsafe methods pass the CSRF check of the
// session middleware; need() sends signed-out readers to sign in and refuses
// other roles. Objects outside a reader's scope are not found, as in the API.
func (h *handler) routes(r *gin.Engine) {
	var (
		volunteer = h.need(identity.RoleVolunteer)
		staff     = h.need(identity.RoleAdmin, identity.RoleWardStaff)
		partners  = h.need(identity.RoleAdmin, identity.RolePartner)
		admin     = h.need(identity.RoleAdmin)
		signedIn  = h.need(identity.Roles...)
	)
	_, _, _, _ = volunteer, staff, partners, admin

	r.GET("/static/:file", h.static)
	r.GET("/lang/:lang", h.switchLang)
	r.GET("/", h.home)

	// Everyone: sessions, registration with an invite code, the account.
	r.GET("/login", h.loginPage)
	r.POST("/login", h.login)
	r.POST("/logout", h.logout)
	r.GET("/register", h.registerPage)
	r.POST("/register", h.register)
	r.GET("/account", signedIn, h.accountPage)
	r.POST("/account/password", signedIn, h.changePassword)

	// Volunteer: shifts to book, my bookings and waiting lists, check-in by the
	// centre's code, hours and certificates, calendar feed, notifications.
	r.GET("/shifts", volunteer, h.volShiftsPage)
	r.GET("/shifts/:id", volunteer, h.volShiftPage)
	r.POST("/shifts/:id/book", volunteer, h.volBook)
	r.GET("/me/bookings", volunteer, h.volBookingsPage)
	r.POST("/me/bookings/:id/cancel", volunteer, h.volCancelBooking)
	r.POST("/me/waiting/:id/leave", volunteer, h.volLeaveWaiting)
	r.GET("/checkin", volunteer, h.volCheckinPage)
	r.POST("/checkin", volunteer, h.volCheckin)
	r.GET("/me/hours", volunteer, h.volHoursPage)
	r.POST("/me/hours/certificates", volunteer, h.volIssueCertificate)
	r.GET("/me/certificates/:code/pdf", volunteer, h.volCertificatePDF)
	r.GET("/me/calendar", volunteer, h.volCalendarPage)
	r.POST("/me/calendar", volunteer, h.volResetCalendar)
	r.POST("/me/calendar/delete", volunteer, h.volDeleteCalendar)
	r.GET("/me/notifications", volunteer, h.volNotificationsPage)
	r.POST("/me/notifications/read-all", volunteer, h.volReadAllNotifications)
	r.POST("/me/notifications/:id/read", volunteer, h.volReadNotification)
	// Admin: wards and merges, organisations, accounts, targets, the district overview.
	r.GET("/admin", admin, h.adminIndex)
	r.GET("/admin/wards", admin, h.adminWards)
	r.POST("/admin/wards", admin, h.adminCreateWard)
	r.GET("/admin/wards/:id", admin, h.adminWard)
	r.POST("/admin/wards/:id", admin, h.adminUpdateWard)
	r.POST("/admin/wards/:id/merge", admin, h.adminMergeWard)
	r.GET("/admin/organisations", admin, h.adminOrgs)
	r.POST("/admin/organisations", admin, h.adminCreateOrg)
	r.GET("/admin/organisations/:id", admin, h.adminOrg)
	r.POST("/admin/organisations/:id", admin, h.adminUpdateOrg)
	r.GET("/admin/users", admin, h.adminUsers)
	r.POST("/admin/users", admin, h.adminCreateUser)
	r.POST("/admin/users/:id/status", admin, h.adminUserStatus)
	r.GET("/admin/targets", admin, h.adminTargets)
	r.POST("/admin/targets", admin, h.adminSaveTargets)
	r.GET("/admin/district", admin, h.adminDistrict)
	r.GET("/admin/district/export", admin, h.adminDistrictExport)

	// Partner: invite codes, volunteers and their hours, training sessions (an
	// admin picks the organisation); the public training schedule.
	r.GET("/partner/invites", partners, h.partnerInvites)
	r.POST("/partner/invites", partners, h.partnerCreateInvite)
	r.POST("/partner/invites/:id/revoke", partners, h.partnerRevokeInvite)
	r.GET("/partner/volunteers", partners, h.partnerVolunteers)
	r.POST("/partner/volunteers/:id/status", partners, h.partnerVolunteerStatus)
	r.GET("/partner/certificate", partners, h.partnerCertificate)
	r.GET("/partner/export", partners, h.partnerExport)
	r.GET("/partner/sessions", partners, h.partnerSessions)
	r.POST("/partner/sessions", partners, h.partnerCreateSession)
	r.GET("/partner/sessions/:id", partners, h.partnerSession)
	r.POST("/partner/sessions/:id", partners, h.partnerUpdateSession)
	r.POST("/partner/sessions/:id/cancel", partners, h.partnerCancelSession)
	r.POST("/partner/sessions/:id/attendance/:number", partners, h.partnerMarkAttendance)
	r.GET("/sessions", h.partnerSchedule)
	// Ward staff (admins see every ward): centres, shifts and series, rosters,
	// the check-in screen and coverage with its exports (staff*.go).
	r.GET("/staff/centres", staff, h.staffCentresPage)
	r.POST("/staff/centres", staff, h.createStaffCentre)
	r.GET("/staff/centres/:id", staff, h.staffCentrePage)
	r.GET("/staff/centres/:id/edit", staff, h.staffCentreEditPage)
	r.POST("/staff/centres/:id/edit", staff, h.updateStaffCentre)
	r.POST("/staff/centres/:id/shifts", staff, h.createStaffShift)
	r.GET("/staff/centres/:id/series/new", staff, h.staffSeriesPage)
	r.POST("/staff/centres/:id/series", staff, h.createStaffSeries)
	r.POST("/staff/centres/:id/series/:sid/cancel", staff, h.cancelStaffSeries)
	r.POST("/staff/centres/:id/series/:sid/remove", staff, h.removeStaffSeries)
	r.GET("/staff/centres/:id/screen", staff, h.staffScreenPage)
	r.GET("/staff/centres/:id/coverage", staff, h.staffCentreCoveragePage)
	r.GET("/staff/centres/:id/coverage/export", staff, h.staffCentreExport)
	r.GET("/staff/shifts/:id", staff, h.staffRosterPage)
	r.POST("/staff/shifts/:id/cancel", staff, h.cancelStaffShift)
	r.POST("/staff/shifts/:id/assign", staff, h.assignStaffVolunteer)
	r.POST("/staff/shifts/:id/remove/:volunteer_id", staff, h.removeStaffVolunteer)
	r.POST("/staff/shifts/:id/attendance/:volunteer_id", staff, h.recordStaffAttendance)
	r.POST("/staff/shifts/:id/no-show/:volunteer_id", staff, h.decideStaffNoShow)
	r.GET("/staff/dashboard", staff, h.staffDashboardPage)
	r.GET("/staff/wards/:id/export", staff, h.staffWardExport)
	// Courses: the public catalogue and lesson reader, partners' authoring, admins' review.
	r.GET("/courses", h.courseCatalogue)
	r.GET("/courses/:id", h.coursePage)
	r.POST("/courses/:id/start", signedIn, h.startCourse)
	r.GET("/courses/:id/lessons/:lesson_id", h.lessonPage)
	r.GET("/courses/:id/lessons/:lesson_id/quiz", h.toLesson)
	r.POST("/courses/:id/lessons/:lesson_id/quiz", h.submitQuiz)
	r.GET("/courses/:id/lessons/:lesson_id/complete", h.toLesson)
	r.POST("/courses/:id/lessons/:lesson_id/complete", signedIn, h.completeLesson)
	r.GET("/partner/courses", partners, h.managedCoursesPage)
	r.POST("/partner/courses", partners, h.createCourse)
	r.GET("/partner/courses/:id", partners, h.managedCoursePage)
	r.POST("/partner/courses/:id/versions", partners, h.newCourseVersion)
	r.GET("/partner/courses/:id/versions/:n", partners, h.editorPage)
	r.POST("/partner/courses/:id/versions/:n", partners, h.editVersion)
	r.POST("/partner/courses/:id/versions/:n/withdraw", partners, h.withdrawVersion)
	r.GET("/admin/reviews", admin, h.reviewsPage)
	r.GET("/admin/reviews/:id/versions/:n", admin, h.reviewPage)
	r.POST("/admin/reviews/:id/versions/:n", admin, h.reviewVersion)
}
