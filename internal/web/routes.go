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

	// Residents (residents.go, residents_quiz.go, residents_public.go): staff of
	// their wards and volunteers on duty; the services decide scope.
	residents := h.need(identity.RoleAdmin, identity.RoleWardStaff, identity.RoleVolunteer)
	r.GET("/residents", residents, h.residentsPage)
	r.GET("/residents/new", residents, h.residentNewPage)
	r.POST("/residents", residents, h.residentRegister)
	r.GET("/residents/import", staff, h.residentImportPage)
	r.POST("/residents/import", staff, h.residentImport)
	r.GET("/residents/audit", staff, h.residentAuditPage)
	r.GET("/residents/:id", residents, h.residentPage)
	r.POST("/residents/:id/progress", residents, h.residentRecord)
	r.GET("/residents/:id/records/:record/revoke", staff, h.residentRevokePage)
	r.POST("/residents/:id/records/:record/revoke", staff, h.residentRevoke)
	r.GET("/residents/:id/quiz", residents, h.residentQuizPage)
	r.POST("/residents/:id/quiz", residents, h.residentQuiz)
	r.POST("/residents/:id/link", residents, h.residentLinkReset)
	r.POST("/residents/:id/link/delete", residents, h.residentLinkDelete)
	r.GET("/residents/:id/reveal", staff, h.residentRevealPage)
	r.POST("/residents/:id/reveal", staff, h.residentReveal)
	r.GET("/residents/:id/erase", staff, h.residentErasePage)
	r.POST("/residents/:id/erase", staff, h.residentErase)
	// Public: certificate verification and a resident's personal link.
	r.GET("/verify", h.verifyPage)
	r.GET("/verify/:code", h.verifyCode)
	r.GET("/p/:token", h.personalPage)
}
