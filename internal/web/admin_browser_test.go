package web

import (
	"strings"
	"testing"

	"ecitizen/internal/directory"
)

// TestBrowserAdminAndPartner: the admin creates a ward, an organisation and a
// partner account through the pages; the partner signs in and creates an invite
// code; the admin's district overview shows the ward.
func TestBrowserAdminAndPartner(t *testing.T) {
	e := newTestEnv(t)
	b := newBrowser(t, e)
	admin := b.tab()
	admin.signIn(testAdminEmail, testAdminPassword)

	admin.open("/admin/wards")
	admin.fill(`main form[action="/admin/wards"]`, map[string]string{"code": "LTT01", "name_vi": "Phường Lý Thái Tổ", "name_en": "Ly Thai To Ward"})
	admin.click(`main form[action="/admin/wards"] button[type=submit]`)
	admin.see("Đã thêm phường.", "Phường Lý Thái Tổ")
	admin.shoot("admin-wards")

	admin.open("/admin/organisations")
	admin.fill(`main form[action="/admin/organisations"]`, map[string]string{"kind": "university", "name": "Trường Đại học Hà Nội", "contact_email": "lienhe@hanu.edu.vn"})
	admin.click(`main form[action="/admin/organisations"] button[type=submit]`)
	admin.see("Đã thêm tổ chức.", "Trường Đại học Hà Nội")
	orgs, _, err := e.svc.Directory.Organisations(t.Context(), directory.OrganisationFilter{}, adminPageAll())
	if err != nil {
		t.Fatal(err)
	}
	var orgID string
	for _, o := range orgs {
		if o.Name == "Trường Đại học Hà Nội" {
			orgID = o.ID
		}
	}

	admin.open("/admin/users")
	form := `main form[action="/admin/users"][method="post"]`
	admin.fill(form, map[string]string{"role": "partner", "display_name": "Hoàng Thị Mai", "email": "mai@hanu.edu.vn",
		"password": testPassword, "organisation_id": orgID})
	admin.click(form + ` button[type=submit]`)
	admin.see("Đã tạo tài khoản.", "mai@hanu.edu.vn", "Trường Đại học Hà Nội")
	admin.shoot("admin-users")

	partner := b.tab()
	partner.signIn("mai@hanu.edu.vn", testPassword)
	partner.open("/partner/invites")
	partner.fill(`main form[action="/partner/invites"]`, map[string]string{"label": "Khoa Công nghệ thông tin"})
	partner.click(`main form[action="/partner/invites"] button[type=submit]`)
	partner.see("Đã tạo mã mời.", "Khoa Công nghệ thông tin", "Còn hiệu lực", "/register?code=")
	partner.shoot("partner-invites")
	partner.open("/partner/sessions")
	partner.see("Tạo buổi học")
	partner.shoot("partner-sessions")
	partner.open("/partner/volunteers")
	partner.see("Chưa có tình nguyện viên")

	admin.open("/admin/district")
	admin.see("Tổng quan quận", "Phường Lý Thái Tổ", "Xếp hạng các phường")
	if !strings.Contains(admin.text(), "Xu hướng theo tuần") {
		t.Fatal("no trends on the district overview")
	}
	admin.shoot("admin-district")
}
