package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// issuerAnswer is the certificate issuer as the API answers it.
type issuerAnswer struct {
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

// theIssuer is what the officials of the tests below set.
var theIssuer = map[string]string{
	"superior": "ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI", "agency": "SỞ TƯ PHÁP",
	"sign_title": "GIÁM ĐỐC", "signer": "Lê Thị Hoa", "place": "Đồng Nai",
}

// contestOf returns the id of a round's contest.
func (s *testServer) contestOf(token string, roundID int64) int64 {
	s.t.Helper()
	var r struct {
		ContestID int64 `json:"contest_id"`
	}
	s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/rounds/%d", roundID), token, nil, &r)
	return r.ContestID
}

// setIssuer stores who issues a contest's certificates, through the API.
func (s *testServer) setIssuer(token string, contestID int64, issuer map[string]string) issuerAnswer {
	s.t.Helper()
	var out issuerAnswer
	s.mustCall(http.StatusOK, "PUT", fmt.Sprintf("/api/v1/contests/%d/certificate", contestID), token, issuer, &out)
	return out
}

func TestCertificateIssuerAPI(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	official := s.staff("official", "thu-ky@so.gov.vn")
	organizer := s.staff("organizer", "to-chuc@so.gov.vn")
	contestant, _ := s.contestant("Vũ Thị Lan")
	roundID := s.round(admin, nil)
	contest := s.contestOf(admin, roundID)
	path := fmt.Sprintf("/api/v1/contests/%d/certificate", contest)

	t.Run("before officials set it the contest has no issuer", func(t *testing.T) {
		var got issuerAnswer
		s.mustCall(http.StatusOK, "GET", path, official, nil, &got)
		if got.Issued || got.ContestID != contest || got.Agency != "" || got.Signer != "" || got.SetAt != nil || got.SetBy != nil {
			t.Errorf("got %+v, want contest %d with nothing set", got, contest)
		}
	})

	valid := map[string]string{"agency": "SỞ TƯ PHÁP", "sign_title": "GIÁM ĐỐC", "signer": "Lê Thị Hoa", "place": "Hà Nội"}
	runScenarios(t, s, []scenario{
		{"reading it needs a session", "GET", path, "", nil, 401, "unauthorized", nil},
		{"a contestant may not read it", "GET", path, contestant, nil, 403, "forbidden", nil},
		{"an organizer may not read it", "GET", path, organizer, nil, 403, "forbidden", nil},
		{"setting it needs a session", "PUT", path, "", valid, 401, "unauthorized", nil},
		{"a contestant may not set it", "PUT", path, contestant, valid, 403, "forbidden", nil},
		{"an organizer may not set it", "PUT", path, organizer, valid, 403, "forbidden", nil},
		{"a missing contest is not found", "GET", "/api/v1/contests/999999/certificate", official, nil, 404, "not_found", nil},
		{"a missing contest cannot be given an issuer", "PUT", "/api/v1/contests/999999/certificate", official, valid, 404, "not_found", nil},
		{"broken JSON is refused", "PUT", path, official, `{"agency":`, 400, "malformed_json", nil},
		{"every line but the superior body is required", "PUT", path, official, map[string]string{"superior": "UBND"}, 422,
			"validation_failed", []string{"agency", "sign_title", "signer", "place"}},
		{"blank lines count as missing", "PUT", path, official, map[string]string{"agency": "  ", "sign_title": "\t",
			"signer": "Lê Thị Hoa", "place": "Hà Nội"}, 422, "validation_failed", []string{"agency", "sign_title"}},
		{"a line too long is refused", "PUT", path, official, map[string]string{"agency": strings.Repeat("Ư", 201),
			"sign_title": "GIÁM ĐỐC", "signer": strings.Repeat("a", 101), "place": "Hà Nội"}, 422, "validation_failed",
			[]string{"agency", "signer"}},
		{"a control character is refused", "PUT", path, official, map[string]string{"agency": "SỞ\x00TƯ PHÁP",
			"sign_title": "GIÁM ĐỐC", "signer": "Lê Thị Hoa", "place": "Hà Nội"}, 422, "validation_failed", []string{"agency"}},
		{"a line of the wrong type is refused", "PUT", path, official, map[string]any{"agency": 5}, 422, "validation_failed",
			[]string{"agency"}},
	})

	t.Run("refused input stored nothing", func(t *testing.T) {
		var got issuerAnswer
		s.mustCall(http.StatusOK, "GET", path, official, nil, &got)
		if got.Issued {
			t.Errorf("got %+v after refused input, want nothing set", got)
		}
	})

	t.Run("an official sets it, cleaned, and the audit log says who", func(t *testing.T) {
		nfd := norm.NFD.String("Lê Thị  Hoa ")
		got := s.setIssuer(official, contest, map[string]string{"superior": " ỦY BAN NHÂN DÂN   THÀNH PHỐ HÀ NỘI",
			"agency": "SỞ TƯ PHÁP", "sign_title": "GIÁM ĐỐC", "signer": nfd, "place": "Hà Nội"})
		want := issuerAnswer{ContestID: contest, Issued: true, Superior: "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", Agency: "SỞ TƯ PHÁP",
			SignTitle: "GIÁM ĐỐC", Signer: "Lê Thị Hoa", Place: "Hà Nội"}
		if got.SetAt == nil || got.SetBy == nil || !strings.Contains(*got.SetBy, "thu-ky@so.gov.vn") {
			t.Errorf("set_at %v, set_by %v: want the time and the official", got.SetAt, got.SetBy)
		}
		got.SetAt, got.SetBy = nil, nil
		if got != want {
			t.Errorf("got %+v\nwant %+v", got, want)
		}
		var read issuerAnswer
		s.mustCall(http.StatusOK, "GET", path, official, nil, &read)
		if read.Signer != "Lê Thị Hoa" || !read.Issued {
			t.Errorf("read back %+v", read)
		}
		if n := len(issuerAudit(t, s, admin)); n != 1 {
			t.Errorf("%d audit entries of the issuer, want 1", n)
		}
	})

	t.Run("setting the same lines again writes nothing more to the audit log", func(t *testing.T) {
		s.setIssuer(official, contest, map[string]string{"superior": "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI",
			"agency": "SỞ TƯ PHÁP", "sign_title": "GIÁM ĐỐC", "signer": "Lê Thị Hoa", "place": "Hà Nội"})
		if n := len(issuerAudit(t, s, admin)); n != 1 {
			t.Errorf("%d audit entries of the issuer, want 1", n)
		}
	})

	t.Run("an admin may change it, and a refused change keeps what was stored", func(t *testing.T) {
		got := s.setIssuer(admin, contest, valid)
		if got.Superior != "" || got.Place != "Hà Nội" {
			t.Errorf("got %+v, want no superior body", got)
		}
		status, body := s.call("PUT", path, official, map[string]string{"agency": "X", "sign_title": "Y", "signer": "", "place": "Z"})
		if status != 422 || !strings.Contains(string(body), `"signer"`) {
			t.Errorf("empty signer: %d %s", status, body)
		}
		var read issuerAnswer
		s.mustCall(http.StatusOK, "GET", path, official, nil, &read)
		if read.Agency != "SỞ TƯ PHÁP" || read.Signer != "Lê Thị Hoa" {
			t.Errorf("after a refused change: %+v, want the stored lines", read)
		}
		entries := issuerAudit(t, s, admin)
		if len(entries) != 2 || !strings.Contains(entries[0], "SỞ TƯ PHÁP; GIÁM ĐỐC Lê Thị Hoa; Hà Nội") {
			t.Errorf("audit entries %q, want the admin's change first", entries)
		}
	})
}

// issuerAudit returns the details of the audit log's issuer entries,
// newest first.
func issuerAudit(t *testing.T, s *testServer, admin string) []string {
	t.Helper()
	var out struct {
		Entries []struct {
			Detail string `json:"detail"`
		} `json:"entries"`
	}
	s.mustCall(http.StatusOK, "GET", "/api/v1/audit?action=certificate_issuer", admin, nil, &out)
	var details []string
	for _, e := range out.Entries {
		details = append(details, e.Detail)
	}
	return details
}

// TestCitizenCannotForgeTheIssuerOfTheirCertificate: a contestant's own
// certificate prints the issuer officials stored, whatever the request
// says; before officials store one it says the certificate is not issued.
func TestCitizenCannotForgeTheIssuerOfTheirCertificate(t *testing.T) {
	s := startServer(t, nil)
	admin := s.admin()
	official := s.staff("official", "thu-ky@so.gov.vn")
	roundID := s.round(admin, map[string]any{"question_count": 3})
	contest := s.contestOf(admin, roundID)
	player, _ := s.person(map[string]any{"full_name": "Vũ Thị Lan", "unit": "Trường THPT Chu Văn An"})
	s.play(player, roundID, s.key(admin), 3, nil)
	s.closeRound(admin, roundID)
	path := fmt.Sprintf("/me/rounds/%d/certificate", roundID)

	forged := url.Values{}
	for _, f := range []string{"agency", "superior", "sign_title", "signer", "place"} {
		forged.Set(f, "GIẢ MẠO "+f)
	}
	forged.Set("full", "true")
	forged.Set("user", "1")
	forgery := path + "?" + forged.Encode()

	t.Run("before officials set the issuer the certificate is not issued", func(t *testing.T) {
		for _, p := range []string{path, forgery} {
			status, body, _ := s.page("GET", p, player, nil, "")
			if status != http.StatusOK || !strings.Contains(body, "Giấy chứng nhận chưa được cấp") {
				t.Errorf("GET %s: %d, want 200 saying the certificate is not issued yet", p, status)
			}
			for _, never := range []string{`class="certificate"`, "GIẢ MẠO", "BAN TỔ CHỨC CUỘC THI", "TRƯỞNG BAN TỔ CHỨC", "<input"} {
				if strings.Contains(body, never) {
					t.Errorf("GET %s shows %q before officials set the issuer", p, never)
				}
			}
		}
	})

	s.setIssuer(official, contest, theIssuer)

	t.Run("the certificate prints the stored issuer, whatever the address says", func(t *testing.T) {
		for _, p := range []string{path, forgery} {
			status, body, _ := s.page("GET", p, player, nil, "")
			if status != http.StatusOK || !strings.Contains(body, `class="certificate"`) || !strings.Contains(body, "Vũ Thị Lan") {
				t.Fatalf("GET %s: %d, want the certificate", p, status)
			}
			for _, want := range theIssuer {
				if !strings.Contains(body, want) {
					t.Errorf("GET %s lacks the stored %q", p, want)
				}
			}
			for _, never := range []string{"GIẢ MẠO", "<form", "<input", "toolbar"} {
				if strings.Contains(body, never) {
					t.Errorf("GET %s has %q: a contestant's certificate has no toolbar and prints nothing of the request", p, never)
				}
			}
		}
	})

	t.Run("no other way in changes what it prints", func(t *testing.T) {
		form := strings.NewReader(forged.Encode())
		if status, _, _ := s.page("POST", path, player, form, formType); status != http.StatusNotFound {
			t.Errorf("POST to the certificate: %d, want 404", status)
		}
		for _, p := range []string{fmt.Sprintf("/official/rounds/%d/certificates", roundID), fmt.Sprintf("/official/rounds/%d/print", roundID)} {
			if status, _, _ := s.page("POST", p, player, strings.NewReader(forged.Encode()), formType); status != http.StatusForbidden {
				t.Errorf("POST %s by the contestant: %d, want 403", p, status)
			}
		}
		status, _ := s.call("PUT", fmt.Sprintf("/api/v1/contests/%d/certificate", contest), player,
			map[string]string{"agency": "GIẢ MẠO", "sign_title": "CHỦ TỊCH", "signer": "GIẢ MẠO", "place": "GIẢ MẠO"})
		if status != http.StatusForbidden {
			t.Errorf("PUT of the issuer by the contestant: %d, want 403", status)
		}
		_, body, _ := s.page("GET", path, player, nil, "")
		if strings.Contains(body, "GIẢ MẠO") || !strings.Contains(body, "Lê Thị Hoa") {
			t.Error("the certificate changed after the contestant's attempts")
		}
	})
}

func TestOfficialsSetTheIssuerFromThePrintToolbar(t *testing.T) {
	s := startServer(t, nil)
	roundID, admin, official := lockScenario(t, s)
	s.closeRound(admin, roundID)
	contest := s.contestOf(admin, roundID)
	printPath := fmt.Sprintf("/official/rounds/%d/print", roundID)
	certsPath := fmt.Sprintf("/official/rounds/%d/certificates", roundID)

	t.Run("before anything is saved the toolbar offers the usual names and says nothing is saved", func(t *testing.T) {
		for _, p := range []string{printPath, certsPath} {
			status, body, _ := s.page("GET", p, official, nil, "")
			if status != http.StatusOK || !strings.Contains(body, "Cuộc thi chưa có cơ quan cấp và người ký được lưu") ||
				!strings.Contains(body, `value="TRƯỞNG BAN TỔ CHỨC"`) || !strings.Contains(body, `<form class="toolbar no-print" method="post"`) {
				t.Errorf("GET %s: %d, want the toolbar with the usual names and a warning", p, status)
			}
		}
	})

	t.Run("the address no longer writes the issuer", func(t *testing.T) {
		_, body, _ := s.page("GET", printPath+"?signer="+url.QueryEscape("Người Giả")+"&agency=GIA", official, nil, "")
		if strings.Contains(body, "Người Giả") || strings.Contains(body, ">GIA<") {
			t.Error("the print page prints the issuer from its address")
		}
	})

	form := url.Values{}
	for k, v := range theIssuer {
		form.Set(k, v)
	}

	t.Run("a refused form keeps what was typed and says what is wrong, storing nothing", func(t *testing.T) {
		bad := url.Values{"agency": {"SỞ TƯ PHÁP"}, "sign_title": {"GIÁM ĐỐC"}, "signer": {""}, "place": {"Đồng Nai"}}
		status, body, _ := s.page("POST", certsPath, official, strings.NewReader(bad.Encode()), formType)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="issuer-signer-error"`) ||
			!strings.Contains(body, `value="SỞ TƯ PHÁP"`) || !strings.Contains(body, `aria-invalid="true"`) {
			t.Errorf("POST without a signer: %d, want 422 with the error by the field and the typed agency", status)
		}
		var got issuerAnswer
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/contests/%d/certificate", contest), official, nil, &got)
		if got.Issued {
			t.Errorf("a refused form stored %+v", got)
		}
	})

	t.Run("Lưu stores the issuer and the page confirms it in Vietnamese", func(t *testing.T) {
		form.Set("full", "true")
		status, _, hdr := s.page("POST", printPath, official, strings.NewReader(form.Encode()), formType)
		loc := hdr.Get("Location")
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, printPath+"?") || !strings.Contains(loc, "saved=1") ||
			!strings.Contains(loc, "full=true") {
			t.Fatalf("POST %s: %d to %q, want 303 back to the page, saved, with full=true", printPath, status, loc)
		}
		status, body, _ := s.page("GET", loc, official, nil, "")
		if status != http.StatusOK || !strings.Contains(body, "Đã lưu cơ quan cấp và người ký cho cuộc thi “Hội thi thử nghiệm”") {
			t.Errorf("GET %s: %d, want the confirmation", loc, status)
		}
		if !strings.Contains(body, "079090") {
			t.Error("the list after saving with full=true lacks the CCCD")
		}
		for _, want := range []string{"ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI", "SỞ TƯ PHÁP", "Lê Thị Hoa", ">Đồng Nai</span>, ngày", "Lưu lần cuối lúc"} {
			if !strings.Contains(body, want) {
				t.Errorf("the list lacks %q", want)
			}
		}
		var got issuerAnswer
		s.mustCall(http.StatusOK, "GET", fmt.Sprintf("/api/v1/contests/%d/certificate", contest), official, nil, &got)
		if got.Signer != "Lê Thị Hoa" || got.Superior != "ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI" {
			t.Errorf("stored %+v", got)
		}
	})

	t.Run("one contestant's certificates page goes back to that contestant", func(t *testing.T) {
		_, dungID := findEntry(t, s, official, roundID, "Phạm Thị Dung")
		one := fmt.Sprintf("%s?user=%d", certsPath, dungID)
		_, body, _ := s.page("GET", one, official, nil, "")
		if !strings.Contains(body, fmt.Sprintf(`action="%s?user=%d"`, certsPath, dungID)) {
			t.Errorf("the toolbar of %s does not post to it", one)
		}
		form.Del("full")
		status, _, hdr := s.page("POST", one, official, strings.NewReader(form.Encode()), formType)
		if loc := hdr.Get("Location"); status != http.StatusSeeOther || !strings.Contains(loc, fmt.Sprintf("user=%d", dungID)) {
			t.Errorf("POST %s: %d to %q, want back to the one certificate", one, status, loc)
		}
	})

	t.Run("the audit log records the change with the round it was made from", func(t *testing.T) {
		var out struct {
			Entries []struct {
				RoundID *int64 `json:"round_id"`
				Detail  string `json:"detail"`
			} `json:"entries"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/audit?action=certificate_issuer", admin, nil, &out)
		if len(out.Entries) != 1 || out.Entries[0].RoundID == nil || *out.Entries[0].RoundID != roundID ||
			!strings.Contains(out.Entries[0].Detail, "GIÁM ĐỐC Lê Thị Hoa") {
			t.Errorf("audit entries %+v, want one, of round %d", out.Entries, roundID)
		}
	})
}

// fontURL finds the font files print.css names.
var fontURL = regexp.MustCompile(`url\("(fonts/[^"?]+)\?v=([0-9a-f]+)"\)`)

func TestPrintFontsAreShippedAndServedFromTheBinary(t *testing.T) {
	s := startServer(t, nil)
	css, err := os.ReadFile(filepath.Join("web", "static", "print.css"))
	if err != nil {
		t.Fatal(err)
	}
	fonts := fontURL.FindAllStringSubmatch(string(css), -1)
	if len(fonts) < 4 {
		t.Fatalf("print.css names %d font files, want the regular and bold of two subsets at least", len(fonts))
	}
	total := 0
	for _, f := range fonts {
		name, version := f[1], f[2]
		t.Run(name+" is served as a font, cached for a year", func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("web", "static", name))
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if want := hex.EncodeToString(sum[:6]); version != want {
				t.Errorf("print.css asks for %s?v=%s, want the file's current hash %s", name, version, want)
			}
			resp, body := s.request("GET", "/static/"+name+"?v="+version, nil, "")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "font/woff2" ||
				!strings.Contains(resp.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(body, "wOF2") {
				t.Errorf("GET %s: %d %q %q, want 200 font/woff2, immutable, a WOFF2 file", name, resp.StatusCode,
					resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"))
			}
			total += len(data)
		})
	}
	t.Logf("%d font files, %d bytes", len(fonts), total)
	if resp, body := s.request("GET", "/static/fonts/OFL.txt", nil, ""); resp.StatusCode != 200 || !strings.Contains(body, "SIL OPEN FONT LICENSE Version 1.1") {
		t.Errorf("the font's licence: %d, want the OFL text", resp.StatusCode)
	}

	t.Run("the print and certificate pages load nothing from elsewhere", func(t *testing.T) {
		if u := regexp.MustCompile(`url\(\s*["']?([^"')]+)`).FindAllStringSubmatch(string(css), -1); len(u) != len(fonts) {
			t.Errorf("print.css has %d url()s, want only its %d fonts", len(u), len(fonts))
		}
		roundID, admin, official := lockScenario(t, s)
		player, _ := s.person(map[string]any{"full_name": "Vũ Thị Lan"})
		s.play(player, roundID, s.key(admin), 2, nil)
		s.closeRound(admin, roundID)
		s.setIssuer(official, s.contestOf(admin, roundID), theIssuer)
		attr := regexp.MustCompile(`(?:src|href|action)="([^"]*)"`)
		for _, p := range []struct{ path, token string }{
			{fmt.Sprintf("/official/rounds/%d/print", roundID), official},
			{fmt.Sprintf("/official/rounds/%d/certificates", roundID), official},
			{fmt.Sprintf("/me/rounds/%d/certificate", roundID), player},
		} {
			status, body, _ := s.page("GET", p.path, p.token, nil, "")
			if status != http.StatusOK || !strings.Contains(body, `href="/static/print.css?v=`) {
				t.Fatalf("GET %s: %d, want the page with print.css", p.path, status)
			}
			for _, m := range attr.FindAllStringSubmatch(body, -1) {
				if !strings.HasPrefix(m[1], "/") || strings.HasPrefix(m[1], "//") {
					t.Errorf("%s refers to %q, want a path on this site", p.path, m[1])
				}
			}
		}
	})
}
