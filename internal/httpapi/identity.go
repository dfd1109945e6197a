package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/identity"
	"ecitizen/internal/page"
)

type userJSON struct {
	ID             string    `json:"id"`
	Email          string    `json:"email"`
	DisplayName    string    `json:"display_name"`
	Phone          string    `json:"phone,omitempty"`
	Role           string    `json:"role"`
	WardIDs        []string  `json:"ward_ids"`
	OrganisationID *string   `json:"organisation_id"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

func toUser(u *identity.User) userJSON {
	j := userJSON{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, Phone: u.Phone, Role: string(u.Role),
		WardIDs: u.Scope.WardIDs, Status: string(u.Status), CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	if j.WardIDs == nil {
		j.WardIDs = []string{}
	}
	if u.Scope.OrganisationID != "" {
		j.OrganisationID = &u.Scope.OrganisationID
	}
	return j
}

type tokenJSON struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

func toTokens(p *identity.TokenPair) tokenJSON {
	return tokenJSON{AccessToken: p.AccessToken, RefreshToken: p.RefreshToken, TokenType: "Bearer", ExpiresIn: p.ExpiresIn}
}

type loginRequest struct {
	Email    string `json:"email" binding:"required,max=254"`
	Password string `json:"password" binding:"required,max=128"`
}

func (h *handler) login(c *gin.Context) {
	var req loginRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	pair, err := h.Identity.Login(c.Request.Context(), req.Email, req.Password, c.ClientIP())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTokens(pair))
}

type refreshRequest struct {
	RefreshToken string `json:"refresh_token" binding:"required,max=200"`
}

func (h *handler) refresh(c *gin.Context) {
	var req refreshRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	pair, err := h.Identity.Refresh(c.Request.Context(), req.RefreshToken)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toTokens(pair))
}

func (h *handler) logout(c *gin.Context) {
	if err := h.Identity.Logout(c.Request.Context(), caller(c)); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type registerRequest struct {
	InviteCode  string `json:"invite_code" binding:"required,max=32"`
	Email       string `json:"email" binding:"required,max=254"`
	DisplayName string `json:"display_name" binding:"required,max=120"`
	Phone       string `json:"phone" binding:"max=20"`
	Password    string `json:"password" binding:"required,max=128"`
}

// registrationJSON is the answer to every accepted registration, new address
// or not.
type registrationJSON struct {
	Status string `json:"status"`
}

func (h *handler) register(c *gin.Context) {
	var req registerRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	err := h.Identity.Register(c.Request.Context(), identity.Registration{
		Code: req.InviteCode, Email: req.Email, DisplayName: req.DisplayName, Phone: req.Phone, Password: req.Password,
	}, c.ClientIP())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, registrationJSON{Status: "accepted"})
}

func (h *handler) me(c *gin.Context) {
	u, err := h.Identity.Me(c.Request.Context(), caller(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUser(u))
}

type updateMeRequest struct {
	DisplayName *string `json:"display_name" binding:"omitempty,max=120"`
	Phone       *string `json:"phone" binding:"omitempty,max=20"`
}

func (h *handler) updateMe(c *gin.Context) {
	var req updateMeRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	u, err := h.Identity.UpdateMe(c.Request.Context(), caller(c), identity.ProfilePatch{DisplayName: req.DisplayName, Phone: req.Phone})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUser(u))
}

type changePasswordRequest struct {
	CurrentPassword string `json:"current_password" binding:"required,max=128"`
	NewPassword     string `json:"new_password" binding:"required,max=128"`
}

func (h *handler) changePassword(c *gin.Context) {
	var req changePasswordRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	if err := h.Identity.ChangePassword(c.Request.Context(), caller(c), req.CurrentPassword, req.NewPassword); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

type userQuery struct {
	listQuery
	Role           string `form:"role" binding:"omitempty,oneof=admin ward_staff partner volunteer"`
	OrganisationID string `form:"organisation_id" binding:"max=64"`
	WardID         string `form:"ward_id" binding:"max=64"`
	Status         string `form:"status" binding:"omitempty,oneof=active disabled"`
}

func (h *handler) listUsers(c *gin.Context) {
	var q userQuery
	if err := bindQuery(c, &q); err != nil {
		fail(c, err)
		return
	}
	p, err := page.New(q.Limit, q.Cursor)
	if err != nil {
		fail(c, err)
		return
	}
	f := identity.UserFilter{Role: identity.Role(q.Role), OrganisationID: q.OrganisationID, Status: identity.Status(q.Status)}
	if q.WardID != "" {
		f.AnyWardIDs = []string{q.WardID}
	}
	users, next, err := h.Identity.ListUsers(c.Request.Context(), caller(c), f, p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, users, next, toUser)
}

type createUserRequest struct {
	Email          string   `json:"email" binding:"required,max=254"`
	DisplayName    string   `json:"display_name" binding:"required,max=120"`
	Phone          string   `json:"phone" binding:"max=20"`
	Password       string   `json:"password" binding:"required,max=128"`
	Role           string   `json:"role" binding:"required,oneof=admin ward_staff partner volunteer"`
	WardIDs        []string `json:"ward_ids" binding:"max=50,dive,max=64"`
	OrganisationID string   `json:"organisation_id" binding:"max=64"`
}

func (h *handler) createUser(c *gin.Context) {
	var req createUserRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	u, err := h.Identity.CreateUser(c.Request.Context(), caller(c), identity.NewUser{
		Email: req.Email, DisplayName: req.DisplayName, Phone: req.Phone, Password: req.Password,
		Role: identity.Role(req.Role), WardIDs: req.WardIDs, OrganisationID: req.OrganisationID,
	})
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toUser(u))
}

func (h *handler) getUser(c *gin.Context) {
	u, err := h.Identity.User(c.Request.Context(), caller(c), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUser(u))
}

type updateUserRequest struct {
	DisplayName    *string   `json:"display_name" binding:"omitempty,max=120"`
	Phone          *string   `json:"phone" binding:"omitempty,max=20"`
	Status         *string   `json:"status" binding:"omitempty,oneof=active disabled"`
	Role           *string   `json:"role" binding:"omitempty,oneof=admin ward_staff partner volunteer"`
	WardIDs        *[]string `json:"ward_ids" binding:"omitempty,max=50,dive,max=64"`
	OrganisationID *string   `json:"organisation_id" binding:"omitempty,max=64"`
}

func (h *handler) updateUser(c *gin.Context) {
	var req updateUserRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	p := identity.UserPatch{DisplayName: req.DisplayName, Phone: req.Phone, WardIDs: req.WardIDs, OrganisationID: req.OrganisationID}
	if req.Status != nil {
		s := identity.Status(*req.Status)
		p.Status = &s
	}
	if req.Role != nil {
		r := identity.Role(*req.Role)
		p.Role = &r
	}
	u, err := h.Identity.UpdateUser(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toUser(u))
}

type inviteJSON struct {
	ID             string     `json:"id"`
	OrganisationID string     `json:"organisation_id"`
	Code           string     `json:"code"`
	Label          string     `json:"label"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	ExpiresAt      time.Time  `json:"expires_at"`
	RevokedAt      *time.Time `json:"revoked_at"`
}

func toInvite(i *identity.Invite) inviteJSON {
	return inviteJSON{ID: i.ID, OrganisationID: i.OrganisationID, Code: i.Code, Label: i.Label, CreatedBy: i.CreatedBy,
		CreatedAt: i.CreatedAt, ExpiresAt: i.ExpiresAt, RevokedAt: i.RevokedAt}
}

func (h *handler) listInvites(c *gin.Context) {
	var q listQuery
	p, err := pageOf(c, &q)
	if err != nil {
		fail(c, err)
		return
	}
	invs, next, err := h.Identity.ListInvites(c.Request.Context(), caller(c), c.Param("id"), p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, invs, next, toInvite)
}

type createInviteRequest struct {
	Label     string     `json:"label" binding:"max=120"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func (h *handler) createInvite(c *gin.Context) {
	var req createInviteRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	var exp time.Time
	if req.ExpiresAt != nil {
		exp = *req.ExpiresAt
	}
	inv, err := h.Identity.CreateInvite(c.Request.Context(), caller(c), c.Param("id"), req.Label, exp)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toInvite(inv))
}

func (h *handler) revokeInvite(c *gin.Context) {
	inv, err := h.Identity.RevokeInvite(c.Request.Context(), caller(c), c.Param("id"), c.Param("invite_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toInvite(inv))
}
