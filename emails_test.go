package main

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// login signs in with a login and password and returns the token.
func (s *testServer) login(login, password string) string {
	s.t.Helper()
	var out struct {
		Token string `json:"token"`
	}
	s.mustCall(http.StatusOK, "POST", "/api/v1/auth/login", "", map[string]string{"login": login, "password": password}, &out)
	return out.Token
}

// errorCode returns an error answer's code.
func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	json.Unmarshal(body, &e)
	return e.Error.Code
}

func TestEmailsAreOneAddressInEverySpelling(t *testing.T) {
	s := startServer(t, nil)
	// One address, as macOS (NFD, capitals) and as a phone (NFC) type it.
	nfd := norm.NFD.String("Nguyễn.Thị.Ánh@Sở-TTTT.vn")
	nfc := norm.NFC.String("nguyễn.thị.ánh@sở-tttt.vn")
	if nfd == nfc || strings.EqualFold(nfd, nfc) {
		t.Fatal("the two spellings must differ beyond ASCII case")
	}
	register := func(email, phone string) (int, []byte) {
		return s.call("POST", "/api/v1/auth/register", "", map[string]any{
			"full_name": "Nguyễn Thị Ánh", "birth_date": "1992-08-09", "id_number": "001192012345",
			"phone": phone, "email": email, "province": "01", "password": "mat-khau-123", "consent": true,
		})
	}
	if status, body := register(nfd, "0987000001"); status != http.StatusCreated {
		t.Fatalf("register with the NFD spelling: %d %s", status, body)
	}
	t.Run("registering the NFC spelling of a taken address is account_exists", func(t *testing.T) {
		status, body := register(nfc, "0987000002")
		if status != http.StatusConflict || errorCode(t, body) != "account_exists" || !strings.Contains(string(body), `"email"`) {
			t.Errorf("got %d %s, want 409 account_exists naming email", status, body)
		}
	})
	t.Run("the address is stored in NFC lower case", func(t *testing.T) {
		var me struct {
			Email string `json:"email"`
		}
		s.mustCall(http.StatusOK, "GET", "/api/v1/me", s.login("0987000001", "mat-khau-123"), nil, &me)
		if me.Email != nfc {
			t.Errorf("stored %q, want %q", me.Email, nfc)
		}
	})
	for name, spelling := range map[string]string{"NFD": nfd, "NFC": nfc, "upper case": strings.ToUpper(nfc)} {
		t.Run("signs in with the "+name+" spelling", func(t *testing.T) {
			s.login(spelling, "mat-khau-123")
		})
	}

	t.Run("staff accounts from the command line are normalized too", func(t *testing.T) {
		staffNFD := norm.NFD.String("Trần.Văn.Đức@UBND.vn")
		if _, _, err := cli(t, s.DBPath, "user", "add", "-email", staffNFD, "-password", "mat-khau-to-chuc", "-role", "organizer", "-name", "Trần Văn Đức"); err != nil {
			t.Fatal(err)
		}
		s.login(norm.NFC.String("trần.văn.đức@ubnd.vn"), "mat-khau-to-chuc")
		_, _, err := cli(t, s.DBPath, "user", "add", "-email", norm.NFC.String("TRẦN.văn.đức@ubnd.vn"), "-password", "mat-khau-123", "-role", "official", "-name", "Trần Văn Đức")
		if err == nil || !strings.Contains(err.Error(), "already registered") {
			t.Errorf("a second account for the same address: %v, want it refused", err)
		}
		if _, _, err := cli(t, s.DBPath, "user", "disable", "-email", norm.NFC.String("trần.văn.đức@ubnd.vn")); err != nil {
			t.Errorf("user disable with the other spelling: %v", err)
		}
	})
}

func TestFirstAdminEmailIsNormalized(t *testing.T) {
	s := startServer(t, map[string]string{"HOITHI_ADMIN_EMAIL": norm.NFD.String("Quản.Trị@Tỉnh.vn")})
	m := regexp.MustCompile(`First admin account: (\S+)`).FindStringSubmatch(s.stdout.String())
	want := norm.NFC.String("quản.trị@tỉnh.vn")
	if m == nil || m[1] != want {
		t.Errorf("console says %v, want %q", m, want)
	}
	s.login(want, testAdminPassword)
}
