package progress

// A resident's personal link: a secret URL with which a resident who has no
// account sees their own status and certificate. It is a feed of kind
// roster.FeedResident in the calendar feeds' store (roster.IssueFeed): 32
// random bytes shown once, only their SHA-256 stored, one live link per
// resident, a reset replaces it and the old URL stops working at once.

import (
	"context"
	"errors"
	"fmt"

	"ecitizen/internal/apperr"
	"ecitizen/internal/identity"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
)

// CodePersonalLinkInvalid answers a personal link that is unknown, reset,
// revoked, or of a resident whose data was erased.
const CodePersonalLinkInvalid apperr.Code = "personal_link_invalid"

var errNoLink = &apperr.Error{Code: CodePersonalLinkInvalid,
	Vi: "Đường liên kết cá nhân này không hợp lệ hoặc đã bị thu hồi. Hãy nhờ tình nguyện viên hoặc cán bộ phường cấp lại.",
	En: "This personal link is not valid or has been revoked. Ask a volunteer or the ward staff for a new one."}

// PersonalPagePath is the path of the web page a personal link opens (what its
// QR code holds); the API's JSON of the same token is /api/v1/personal/<token>.
func PersonalPagePath(token string) string { return "/p/" + token }

// ResetPersonalLink gives a resident a new personal link and returns its
// secret token; the previous link stops working at once. The callers who may
// record the resident's progress may (a volunteer on duty in their ward too);
// an erased resident is resident_erased.
func (s *Service) ResetPersonalLink(ctx context.Context, c identity.Caller, residentID string) (string, error) {
	r, _, err := s.reach(ctx, c, residentID, "", true)
	if err != nil {
		return "", err
	}
	if r.Erased() {
		return "", errErased
	}
	return roster.IssueFeed(ctx, s.links, roster.FeedResident, r.ID, c.UserID, s.timestamp())
}

// DeletePersonalLink ends a resident's personal link, if any (same callers as
// ResetPersonalLink; an erased resident's link is ended too).
func (s *Service) DeletePersonalLink(ctx context.Context, c identity.Caller, residentID string) error {
	r, _, err := s.reach(ctx, c, residentID, "", true)
	if err != nil {
		return err
	}
	return roster.DeleteFeedOf(ctx, s.links, roster.FeedResident, r.ID)
}

// PersonalView is what a personal link shows: the resident and their standing.
type PersonalView struct {
	Resident *resident.Resident
	Standing
}

// PersonalView returns the resident and standing of a personal link token.
// An unknown, reset or revoked token is personal_link_invalid, and so is the
// link of an erased (or missing) resident, whose link is then deleted.
func (s *Service) PersonalView(ctx context.Context, token string) (*PersonalView, error) {
	f, err := roster.FeedByToken(ctx, s.links, token)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && f.Kind != roster.FeedResident) {
		return nil, errNoLink
	}
	if err != nil {
		return nil, err
	}
	r, err := s.residents.Lookup(ctx, f.OwnerID)
	if err == nil && r.Erased() {
		if err := s.links.DeleteCalendarFeed(ctx, f.Hash); err != nil && !errors.Is(err, apperr.ErrNotFound) {
			return nil, fmt.Errorf("delete personal link of erased resident %s: %w", r.ID, err)
		}
		return nil, errNoLink
	}
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, errNoLink
	}
	if err != nil {
		return nil, err
	}
	st, err := s.evaluate(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	live, err := s.live(ctx, r.ID, st.Version)
	if err != nil {
		return nil, err
	}
	return &PersonalView{Resident: r, Standing: Standing{Status: st, Certificate: live}}, nil
}
