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
}
