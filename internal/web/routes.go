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
