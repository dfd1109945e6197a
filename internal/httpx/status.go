package httpx

import (
	"iter"
	"maps"
	"net/http"

	"ecitizen/internal/apperr"
	"ecitizen/internal/certificate"
	"ecitizen/internal/course"
	"ecitizen/internal/directory"
	"ecitizen/internal/equipment"
	"ecitizen/internal/idempotency"
	"ecitizen/internal/identity"
	"ecitizen/internal/progress"
	"ecitizen/internal/resident"
	"ecitizen/internal/roster"
	"ecitizen/internal/training"
)

// Codes of the HTTP layer itself: failures of a request before any domain
// service sees it.
const (
	CodeRouteNotFound    apperr.Code = "route_not_found"
	CodeMethodNotAllowed apperr.Code = "method_not_allowed"
	CodeUnsupportedMedia apperr.Code = "unsupported_media_type"
)

// statuses is the one table that maps error codes to HTTP statuses, for the API
// and the web pages alike. A code missing here is a programming error and answers
// 500 (a test of the API keeps it in step with the contract's codes).
var statuses = map[apperr.Code]int{
	apperr.CodeInvalid:                        http.StatusBadRequest,
	apperr.CodeMalformed:                      http.StatusBadRequest,
	apperr.CodeNotFound:                       http.StatusNotFound,
	apperr.CodeConflict:                       http.StatusConflict,
	apperr.CodeUnauthorized:                   http.StatusUnauthorized,
	apperr.CodeForbidden:                      http.StatusForbidden,
	apperr.CodeRateLimited:                    http.StatusTooManyRequests,
	apperr.CodeUnavailable:                    http.StatusServiceUnavailable,
	apperr.CodeStoreBusy:                      http.StatusServiceUnavailable,
	apperr.CodeInternal:                       http.StatusInternalServerError,
	apperr.CodeTooLarge:                       http.StatusRequestEntityTooLarge,
	CodeRouteNotFound:                         http.StatusNotFound,
	CodeMethodNotAllowed:                      http.StatusMethodNotAllowed,
	CodeUnsupportedMedia:                      http.StatusUnsupportedMediaType,
	identity.CodeInvalidCredentials:           http.StatusUnauthorized,
	identity.CodeAccountDisabled:              http.StatusForbidden,
	identity.CodeEmailTaken:                   http.StatusConflict,
	identity.CodeInvalidToken:                 http.StatusUnauthorized,
	identity.CodeWrongPassword:                http.StatusBadRequest,
	identity.CodeInviteInvalid:                http.StatusBadRequest,
	directory.CodeWardCodeTaken:               http.StatusConflict,
	course.CodeIllegalTransition:              http.StatusConflict,
	course.CodeNotEditable:                    http.StatusConflict,
	course.CodeCourseArchived:                 http.StatusConflict,
	course.CodeDraftExists:                    http.StatusConflict,
	course.CodeQuizNotPassed:                  http.StatusConflict,
	course.CodeNotStarted:                     http.StatusConflict,
	training.CodeSessionFull:                  http.StatusConflict,
	training.CodeEnrolLimit:                   http.StatusConflict,
	training.CodeAlreadyEnrolled:              http.StatusConflict,
	training.CodeSessionCancelled:             http.StatusConflict,
	training.CodeSessionStarted:               http.StatusConflict,
	training.CodeSessionNotStarted:            http.StatusConflict,
	training.CodeCapacityBelowSeats:           http.StatusConflict,
	roster.CodeShiftFull:                      http.StatusConflict,
	roster.CodeAlreadyBooked:                  http.StatusConflict,
	roster.CodeCollides:                       http.StatusConflict,
	roster.CodeNotQualified:                   http.StatusConflict,
	roster.CodeSignupNotOpen:                  http.StatusConflict,
	roster.CodeShiftStarted:                   http.StatusConflict,
	roster.CodeCancelDeadlinePassed:           http.StatusConflict,
	roster.CodeVolunteerSuspended:             http.StatusConflict,
	roster.CodeAlreadyWaiting:                 http.StatusConflict,
	roster.CodeShiftCancelled:                 http.StatusConflict,
	roster.CodeCentreClosed:                   http.StatusBadRequest,
	roster.CodePlacesBelowBooked:              http.StatusConflict,
	roster.CodeShiftBooked:                    http.StatusConflict,
	roster.CodeCheckinCodeInvalid:             http.StatusConflict,
	roster.CodeAlreadyCheckedIn:               http.StatusConflict,
	roster.CodeNoShowDecided:                  http.StatusConflict,
	roster.CodeNotANoShow:                     http.StatusConflict,
	roster.CodeAlreadyCheckedOut:              http.StatusConflict,
	roster.CodeNotCheckedIn:                   http.StatusConflict,
	roster.CodeCheckinWindowClosed:            http.StatusConflict,
	idempotency.CodeInUse:                     http.StatusConflict,
	idempotency.CodeReused:                    http.StatusUnprocessableEntity,
	roster.CodeNotOnDuty:                      http.StatusForbidden,
	equipment.CodeDeviceLabelTaken:            http.StatusConflict,
	equipment.CodeDeviceInUse:                 http.StatusConflict,
	equipment.CodeDeviceRetired:               http.StatusConflict,
	equipment.CodeUsageVoided:                 http.StatusConflict,
	certificate.CodeCertificateNotFound:       http.StatusNotFound,
	certificate.CodeCertificateRevoked:        http.StatusGone,
	certificate.CodeCertificateAlreadyRevoked: http.StatusConflict,
	certificate.CodeNoHours:                   http.StatusConflict,
	roster.CodeSeriesEnded:                    http.StatusConflict,
	resident.CodeDuplicateResident:            http.StatusConflict,
	resident.CodePossibleDuplicate:            http.StatusConflict,
	resident.CodeResidentErased:               http.StatusConflict,
	resident.CodeDataKeyUnknown:               http.StatusConflict,
	identity.CodeOrganisationInactive:         http.StatusForbidden,
	progress.CodeRecordRevoked:                http.StatusConflict,
	progress.CodePersonalLinkInvalid:          http.StatusNotFound,
	directory.CodeWardMerged:                  http.StatusConflict,
	directory.CodeWardMergeSelf:               http.StatusConflict,
}

// Status is the HTTP status of an error code in the one table; false when the
// code has none.
func Status(code apperr.Code) (int, bool) {
	s, ok := statuses[code]
	return s, ok
}

// Statuses yields every code of the table with its status, in no order.
func Statuses() iter.Seq2[apperr.Code, int] { return maps.All(statuses) }
