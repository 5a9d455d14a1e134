package quiz

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

var testProvinces = map[string]Province{"01": {Code: "01", Name: "Hà Nội"}, "79": {Code: "79", Name: "Hồ Chí Minh"}}

func validRegistration() Registration {
	return Registration{
		FullName: "Nguyễn Văn An", BirthDate: "1990-05-17", IDNumber: "001090012345", Phone: "0912345678",
		Province: "01", Commune: "Phường Ba Đình", Unit: "UBND phường", Password: "mật-khẩu-dài", Consent: true,
	}
}

func TestRegistrationNormalize(t *testing.T) {
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		change func(*Registration)
		field  string // "" when valid
		key    string
	}{
		{"accepts a valid registration", func(*Registration) {}, "", ""},
		{"requires a name", func(r *Registration) { r.FullName = "  " }, "full_name", MsgRequired},
		{"refuses digits in a name", func(r *Registration) { r.FullName = "An 123" }, "full_name", MsgNameInvalid},
		{"refuses a name too long", func(r *Registration) { r.FullName = strings.Repeat("a", 101) }, "full_name", MsgTooLong},
		{"refuses 31 February", func(r *Registration) { r.BirthDate = "2000-02-31" }, "birth_date", MsgBirthDateInvalid},
		{"refuses a birth date in the future", func(r *Registration) { r.BirthDate = "2027-01-01" }, "birth_date", MsgBirthDateInvalid},
		{"refuses a day-first date", func(r *Registration) { r.BirthDate = "17/05/1990" }, "birth_date", MsgBirthDateInvalid},
		{"refuses an 11-digit CCCD", func(r *Registration) { r.IDNumber = "00109001234" }, "id_number", MsgIDNumberInvalid},
		{"refuses a landline", func(r *Registration) { r.Phone = "0243825000" }, "phone", MsgPhoneInvalid},
		{"requires a phone", func(r *Registration) { r.Phone = "" }, "phone", MsgRequired},
		{"refuses a broken e-mail", func(r *Registration) { r.Email = "an@" }, "email", MsgEmailInvalid},
		{"refuses a province outside the 34", func(r *Registration) { r.Province = "02" }, "province", MsgProvinceInvalid},
		{"refuses a short password", func(r *Registration) { r.Password = "1234567" }, "password", MsgPasswordShort},
		{"refuses a password bcrypt would cut", func(r *Registration) { r.Password = strings.Repeat("x", 73) }, "password", MsgPasswordLong},
		{"requires consent", func(r *Registration) { r.Consent = false }, "consent", MsgConsentRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRegistration()
			tt.change(&r)
			_, err := r.normalize(testProvinces, now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				return
			}
			qe, ok := err.(*Error)
			if !ok || qe.Code != CodeValidation {
				t.Fatalf("got %v, want a validation error", err)
			}
			if got := qe.Fields[tt.field]; got != tt.key {
				t.Errorf("field %s: got %q, want %q (all: %v)", tt.field, got, tt.key, qe.Fields)
			}
		})
	}
}

func TestRegistrationNormalizesText(t *testing.T) {
	r := validRegistration()
	r.FullName = norm.NFD.String("  Lê   Thị  Hồng ")
	r.Phone = "+84 912 345 678"
	r.Email = " An@Example.VN "
	r.IDNumber = "001 090 012 345"
	got, err := r.normalize(testProvinces, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got.FullName != "Lê Thị Hồng" || got.Phone != "0912345678" || got.Email != "an@example.vn" || got.IDNumber != "001090012345" {
		t.Errorf("got %+v", got)
	}
}

func TestNormalizeEmail(t *testing.T) {
	want := norm.NFC.String("nguyễn.ánh@sở.vn")
	for _, in := range []string{
		want,
		norm.NFD.String(want),
		norm.NFD.String(" Nguyễn.Ánh@SỞ.vn "),
		norm.NFC.String("NGUYỄN.ÁNH@Sở.VN"),
	} {
		if got := NormalizeEmail(in); got != want {
			t.Errorf("NormalizeEmail(%q) = %q, want %q", in, got, want)
		}
		if got, ok := normalizeEmail(in); !ok || got != want {
			t.Errorf("normalizeEmail(%q) = %q, %v; want %q, true", in, got, ok, want)
		}
	}
}

func TestRoleCan(t *testing.T) {
	tests := []struct {
		role, want Role
		ok         bool
	}{
		{RoleAdmin, RoleOrganizer, true},
		{RoleAdmin, RoleOfficial, true},
		{RoleAdmin, RoleContestant, false},
		{RoleOrganizer, RoleOrganizer, true},
		{RoleOrganizer, RoleOfficial, false},
		{RoleOfficial, RoleOrganizer, false},
		{RoleContestant, RoleOrganizer, false},
		{RoleContestant, RoleContestant, true},
	}
	for _, tt := range tests {
		if got := tt.role.Can(tt.want); got != tt.ok {
			t.Errorf("%s.Can(%s) = %v, want %v", tt.role, tt.want, got, tt.ok)
		}
	}
}
