package httpapi

import (
	"math"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"ecitizen/internal/certificate"
)

// Hours certificates: volunteers issue and list their own; the holder and those
// who oversee them download the PDF; admins and ward staff revoke; anyone
// verifies a code. E-citizen certificates (issued by the progress service) are
// downloaded, revoked and verified by the same routes; their verification shows
// only the first-name initial, ward, date, framework version and skills.

type hoursCertificateRequest struct {
	From string `json:"from" binding:"required,max=10"`
	To   string `json:"to" binding:"required,max=10"`
}

type centreLineJSON struct {
	CentreName string `json:"centre_name"`
	WardName   string `json:"ward_name"`
	Minutes    int    `json:"minutes"`
}

type hoursStatementJSON struct {
	HolderName       string           `json:"holder_name"`
	OrganisationName string           `json:"organisation_name"`
	From             string           `json:"from"`
	To               string           `json:"to"`
	TotalMinutes     int              `json:"total_minutes"`
	TotalHours       float64          `json:"total_hours"`
	Shifts           int              `json:"shifts"`
	EntryMinutes     int              `json:"entry_minutes"`
	Centres          []centreLineJSON `json:"centres"`
}

type skillLineJSON struct {
	Code   string `json:"code"`
	NameVi string `json:"name_vi"`
	NameEn string `json:"name_en"`
}

// ecitizenStatementJSON is an e-citizen certificate's statement without the
// resident's id: the public sees only these.
type ecitizenStatementJSON struct {
	Initial          string          `json:"initial"`
	WardNameVi       string          `json:"ward_name_vi"`
	WardNameEn       string          `json:"ward_name_en"`
	ReachedOn        string          `json:"reached_on"`
	FrameworkVersion int             `json:"framework_version"`
	Skills           []skillLineJSON `json:"skills"`
}

type revocationJSON struct {
	RevokedAt time.Time `json:"revoked_at"`
	RevokedBy string    `json:"revoked_by"`
	Reason    string    `json:"reason"`
}

// verificationJSON is what the public verification shows: only what the
// certificate states.
type verificationJSON struct {
	Code     string                 `json:"code"`
	Kind     string                 `json:"kind"`
	Status   string                 `json:"status"`
	IssuedAt time.Time              `json:"issued_at"`
	Hours    *hoursStatementJSON    `json:"hours,omitempty"`
	ECitizen *ecitizenStatementJSON `json:"ecitizen,omitempty"`
}

type certificateJSON struct {
	verificationJSON
	VerifyURL  string          `json:"verify_url"`
	PDFURL     string          `json:"pdf_url"`
	Revocation *revocationJSON `json:"revocation"`
}

func toVerification(c *certificate.Certificate) verificationJSON {
	out := verificationJSON{Code: certificate.Display(c.Code), Kind: string(c.Kind), Status: "valid", IssuedAt: c.IssuedAt}
	if c.Revocation != nil {
		out.Status = "revoked"
	}
	if h := c.Statement.Hours; h != nil {
		out.Hours = &hoursStatementJSON{HolderName: h.HolderName, OrganisationName: h.OrganisationName, From: h.From, To: h.To,
			TotalMinutes: h.TotalMinutes, TotalHours: math.Round(float64(h.TotalMinutes)/60*100) / 100, Shifts: h.Shifts,
			EntryMinutes: h.EntryMinutes, Centres: []centreLineJSON{}}
		for _, l := range h.Centres {
			out.Hours.Centres = append(out.Hours.Centres, centreLineJSON(l))
		}
	}
	if e := c.Statement.ECitizen; e != nil {
		out.ECitizen = &ecitizenStatementJSON{Initial: e.Initial, WardNameVi: e.WardNameVi, WardNameEn: e.WardNameEn,
			ReachedOn: e.ReachedOn, FrameworkVersion: e.FrameworkVersion, Skills: []skillLineJSON{}}
		for _, l := range e.Skills {
			out.ECitizen.Skills = append(out.ECitizen.Skills, skillLineJSON(l))
		}
	}
	return out
}

func (h *handler) toCertificate(c *certificate.Certificate) certificateJSON {
	out := certificateJSON{verificationJSON: toVerification(c), VerifyURL: h.Certificates.VerifyURL(c.Code), PDFURL: certificate.PDFPath(c.Code)}
	if r := c.Revocation; r != nil {
		out.Revocation = &revocationJSON{RevokedAt: r.At, RevokedBy: r.By, Reason: r.Reason}
	}
	return out
}

func (h *handler) issueHoursCertificate(c *gin.Context) {
	var req hoursCertificateRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	cert, created, err := h.Certificates.IssueHours(c.Request.Context(), caller(c), certificate.Period{From: req.From, To: req.To})
	if err != nil {
		fail(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		c.Header("Location", certificate.VerifyPath(cert.Code))
	}
	c.JSON(status, h.toCertificate(cert))
}

func (h *handler) myHoursCertificates(c *gin.Context) {
	var q listQuery
	p, err := pageOf(c, &q)
	if err != nil {
		fail(c, err)
		return
	}
	certs, next, err := h.Certificates.Mine(c.Request.Context(), caller(c), p)
	if err != nil {
		fail(c, err)
		return
	}
	renderList(c, certs, next, h.toCertificate)
}

func (h *handler) getCertificatePDF(c *gin.Context) {
	cert, pdf, err := h.Certificates.Document(c.Request.Context(), caller(c), c.Param("code"))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="ecitizen-certificate-`+certificate.Display(cert.Code)+`.pdf"`)
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/pdf", pdf)
}

func (h *handler) revokeCertificate(c *gin.Context) {
	var req requiredReasonRequest
	if err := bindJSON(c, &req); err != nil {
		fail(c, err)
		return
	}
	cert, err := h.Certificates.Revoke(c.Request.Context(), caller(c), c.Param("code"), req.Reason)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, h.toCertificate(cert))
}

// verifyCertificate answers whether a code is a valid certificate, without
// authentication: universities check what a student hands in.
func (h *handler) verifyCertificate(c *gin.Context) {
	cert, err := h.Certificates.Verify(c.Request.Context(), c.Param("code"))
	if err != nil {
		fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, toVerification(cert))
}
