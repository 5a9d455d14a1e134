package handlers

import (
	"errors"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"hoithi/quiz"
)

// issuerBody is who issues a contest's certificates, as the API reads and
// writes it.
type issuerBody struct {
	Superior  string `json:"superior"`
	Agency    string `json:"agency"`
	SignTitle string `json:"sign_title"`
	Signer    string `json:"signer"`
	Place     string `json:"place"`
}

// issuerJSON is the API's answer: the lines as stored, and who set them
// and when (null while no official has).
type issuerJSON struct {
	ContestID int64   `json:"contest_id"`
	Issued    bool    `json:"issued"`
	Superior  string  `json:"superior"`
	Agency    string  `json:"agency"`
	SignTitle string  `json:"sign_title"`
	Signer    string  `json:"signer"`
	Place     string  `json:"place"`
	SetAt     *string `json:"set_at"`
	SetBy     *string `json:"set_by"`
}

func issuerAnswer(ci quiz.CertificateIssuer) issuerJSON {
	out := issuerJSON{ContestID: ci.ContestID, Issued: ci.Issued(), Superior: ci.Superior, Agency: ci.Agency,
		SignTitle: ci.SignTitle, Signer: ci.Signer, Place: ci.Place, SetAt: apiTimePtr(ci.SetAt)}
	if ci.Issued() {
		out.SetBy = &ci.SetByName
	}
	return out
}

// showIssuer answers who issues a contest's certificates.
func (h *Handler) showIssuer(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	ci, err := h.Certificates.Issuer(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(issuerAnswer(ci))
}

// setIssuer stores who issues and signs a contest's certificates.
func (h *Handler) setIssuer(c *fiber.Ctx) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	var body issuerBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	by, err := h.signedInUser(c)
	if err != nil {
		return err
	}
	in := quiz.CertificateIssuer{ContestID: id, Superior: body.Superior, Agency: body.Agency,
		SignTitle: body.SignTitle, Signer: body.Signer, Place: body.Place}
	ci, _, err := h.Certificates.SetIssuer(c.UserContext(), in, by, 0, h.clientIP(c))
	if err != nil {
		return err
	}
	return c.JSON(issuerAnswer(ci))
}

// issuerForm is the officials' toolbar of a print or certificates page, as
// typed and refused: the lines and the message of each wrong one.
type issuerForm struct {
	Issuer quiz.CertificateIssuer
	Errors map[string]string
}

// savePrintIssuer stores the issuer typed in the toolbar of a round's
// print page.
func (h *Handler) savePrintIssuer(c *fiber.Ctx) error {
	return h.saveIssuerForm(c, h.renderPrint)
}

// saveCertificatesIssuer stores the issuer typed in the toolbar of a
// round's certificates page.
func (h *Handler) saveCertificatesIssuer(c *fiber.Ctx) error {
	return h.saveIssuerForm(c, h.renderCertificates)
}

// saveIssuerForm stores the issuer of the round's contest from the
// toolbar's form and goes back to the page, which then says it was saved;
// a refused form shows the page again with what was typed and why.
func (h *Handler) saveIssuerForm(c *fiber.Ctx, render func(*fiber.Ctx, int, *issuerForm) error) error {
	id, err := idParam(c, "id")
	if err != nil {
		return err
	}
	r, err := h.Catalog.Round(c.UserContext(), id)
	if err != nil {
		return err
	}
	by, err := h.signedInUser(c)
	if err != nil {
		return err
	}
	in := quiz.CertificateIssuer{ContestID: r.ContestID, Superior: c.FormValue("superior"), Agency: c.FormValue("agency"),
		SignTitle: c.FormValue("sign_title"), Signer: c.FormValue("signer"), Place: c.FormValue("place")}
	if _, _, err := h.Certificates.SetIssuer(c.UserContext(), in, by, id, h.clientIP(c)); err != nil {
		var qe *quiz.Error
		if !errors.As(err, &qe) || qe.Code != quiz.CodeValidation {
			return err
		}
		form := &issuerForm{Issuer: in, Errors: map[string]string{}}
		for field, key := range qe.Fields {
			form.Errors[field] = h.lang(c).T(key)
		}
		return render(c, fiber.StatusUnprocessableEntity, form)
	}
	q := url.Values{}
	if c.FormValue("full") == "true" {
		q.Set("full", "true")
	}
	if u := c.Query("user"); u != "" {
		q.Set("user", u)
	}
	q.Set("saved", "1")
	return c.Redirect(c.Path()+"?"+q.Encode(), fiber.StatusSeeOther)
}

// issuerToolbar is what the officials' toolbar shows above a printable
// document. A contestant's own certificate has none.
type issuerToolbar struct {
	Action  string            // the form's address: the page itself
	API     string            // the issuer's API, which saves before printing
	FullURL string            // the page with the other choice of ?full; "" on certificates
	Errors  map[string]string // field → why it was refused
	Notice  string            // the issuer was just saved
	Warning string            // no issuer is saved yet
	SetAt   string            // when and by whom it was last saved, as shown
	SetBy   string
}

// toolbar builds the officials' toolbar for a page about round r whose
// issuer is ci, with the form as refused when there is one.
func (h *Handler) toolbar(c *fiber.Ctx, r quiz.Round, ci quiz.CertificateIssuer, form *issuerForm) *issuerToolbar {
	l := h.lang(c)
	tb := &issuerToolbar{Action: c.Path(), API: "/api/v1/contests/" + strconv.FormatInt(r.ContestID, 10) + "/certificate"}
	if u := c.Query("user"); u != "" {
		tb.Action += "?user=" + url.QueryEscape(u)
	}
	if form != nil {
		tb.Errors = form.Errors
	}
	switch {
	case form != nil:
	case c.Query("saved") == "1" && ci.Issued():
		tb.Notice = l.T("print.saved", r.ContestTitle)
	case !ci.Issued():
		tb.Warning = l.T("print.not_saved")
	}
	if ci.Issued() {
		tb.SetAt, tb.SetBy = ci.SetAt.In(vietnam).Format("15:04 02/01/2006"), ci.SetByName
	}
	return tb
}
