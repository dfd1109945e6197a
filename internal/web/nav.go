package web

import "ecitizen/internal/identity"

// link is one entry of the main navigation and of the home page's cards.
type link struct {
	Href  string
	Label string // message id of the link text
	About string // message id of the card's description; "" shows no card
}

// publicLinks are for everyone.
var publicLinks = []link{
	{"/courses", "nav.courses", "home.learn_text"},
	{"/verify", "nav.verify", "home.verify_text"},
}

// roleLinks are each role's pages, in the order of the navigation.
var roleLinks = map[identity.Role][]link{
	identity.RoleVolunteer: {
		{"/shifts", "nav.shifts", "home.shifts_text"},
		{"/me/bookings", "nav.bookings", "home.bookings_text"},
		{"/checkin", "nav.checkin", "home.checkin_text"},
		{"/residents", "nav.residents", "home.residents_text"},
		{"/me/hours", "nav.hours", "home.hours_text"},
		{"/me/notifications", "nav.notifications", ""},
	},
	identity.RoleWardStaff: {
		{"/staff/centres", "nav.centres", "home.centres_text"},
		{"/residents", "nav.residents", "home.staff_residents_text"},
		{"/staff/dashboard", "nav.dashboard", "home.dashboard_text"},
	},
	identity.RolePartner: {
		{"/partner/courses", "nav.my_courses", "home.partner_courses_text"},
		{"/partner/sessions", "nav.sessions", "home.sessions_text"},
		{"/partner/volunteers", "nav.volunteers", "home.partner_volunteers_text"},
		{"/partner/invites", "nav.invites", "home.invites_text"},
	},
	identity.RoleAdmin: {
		{"/admin", "nav.admin", "home.admin_text"},
		{"/admin/users", "admin.nav.users", "admin.index.users"},
		{"/admin/reviews", "nav.reviews", "home.reviews_text"},
		{"/staff/centres", "nav.centres", "home.centres_text"},
		{"/admin/district", "nav.district", "home.district_text"},
	},
}

// Links are the reader's navigation: the public pages, then their role's.
func (v *view) Links() []link {
	out := []link{publicLinks[0]}
	if v.User == nil {
		return append(out, publicLinks[1])
	}
	return append(out, roleLinks[v.Caller.Role]...)
}
