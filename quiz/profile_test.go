package quiz

import (
	"testing"
	"time"

	"golang.org/x/text/unicode/norm"
)

// profileOf is the account a correction starts from: an adult registered
// with a unit since taken off the organizer's list.
func profileOf() User {
	return User{ID: 7, Role: RoleContestant, FullName: "Nguyễn Văn An", BirthDate: "1990-05-17", IDNumber: "001090012345",
		Phone: "0912345678", Province: "01", Commune: "Phường Ba Đình", Unit: "Phòng cũ"}
}

func editText(s string) *string { return &s }

func TestProfileRulesApply(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	rules := ProfileRules{provinces: testProvinces, units: []string{"Sở Tư pháp", "UBND phường Sài Gòn"}}
	child := now.In(Vietnam).AddDate(-12, 0, 0).Format(time.DateOnly)
	tests := []struct {
		name  string
		start func(*User)
		edit  ProfileEdit
		field string // "" when accepted
		key   string
		check func(t *testing.T, u User)
	}{
		{name: "stores a name typed in NFD as NFC, spaces collapsed", edit: ProfileEdit{FullName: editText(norm.NFD.String("  Trần   Thị Ánh "))},
			check: func(t *testing.T, u User) {
				if u.FullName != "Trần Thị Ánh" {
					t.Errorf("name %q, want NFC %q", u.FullName, "Trần Thị Ánh")
				}
			}},
		{name: "writes the unit as the list does", edit: ProfileEdit{Unit: editText("so tu phap")},
			check: func(t *testing.T, u User) {
				if u.Unit != "Sở Tư pháp" {
					t.Errorf("unit %q, want the list's spelling", u.Unit)
				}
			}},
		{name: "keeps a unit since taken off the list when the edit leaves it alone", edit: ProfileEdit{Commune: editText("Phường Hoàn Kiếm")},
			check: func(t *testing.T, u User) {
				if u.Unit != "Phòng cũ" || u.Commune != "Phường Hoàn Kiếm" {
					t.Errorf("account %+v", u)
				}
			}},
		{name: "keeps that unit sent back as it is", edit: ProfileEdit{Unit: editText("phòng cũ")},
			check: func(t *testing.T, u User) {
				if u.Unit != "Phòng cũ" {
					t.Errorf("unit %q", u.Unit)
				}
			}},
		{name: "refuses a unit not on the list", edit: ProfileEdit{Unit: editText("Hội nông dân")}, field: "unit", key: MsgUnitUnknown},
		{name: "takes an identity number and a birth date not given at registration",
			start: func(u *User) { u.IDNumber, u.BirthDate = "", "" },
			edit:  ProfileEdit{IDNumber: editText("079 190 001 234"), BirthDate: editText("1990-05-17")},
			check: func(t *testing.T, u User) {
				if u.IDNumber != "079190001234" || u.BirthDate != "1990-05-17" {
					t.Errorf("account %+v", u)
				}
			}},
		{name: "leaves both empty when they still are", start: func(u *User) { u.IDNumber, u.BirthDate = "", "" },
			edit: ProfileEdit{IDNumber: editText(""), BirthDate: editText("")}},
		{name: "does not check again what is sent back as stored", start: func(u *User) { u.FullName, u.Province = "An 2", "" },
			edit: ProfileEdit{FullName: editText("An 2"), Province: editText(""), Unit: editText("Sở Tư pháp")},
			check: func(t *testing.T, u User) {
				if u.FullName != "An 2" || u.Province != "" || u.Unit != "Sở Tư pháp" {
					t.Errorf("account %+v", u)
				}
			}},
		{name: "refuses to empty the identity number", edit: ProfileEdit{IDNumber: editText(" ")}, field: "id_number", key: MsgProfileNotEmptied},
		{name: "refuses to empty the birth date", edit: ProfileEdit{BirthDate: editText("")}, field: "birth_date", key: MsgProfileNotEmptied},
		{name: "refuses an 11-digit identity number", edit: ProfileEdit{IDNumber: editText("00109001234")}, field: "id_number", key: MsgIDNumberInvalid},
		{name: "refuses 31 February", edit: ProfileEdit{BirthDate: editText("2000-02-31")}, field: "birth_date", key: MsgBirthDateInvalid},
		{name: "refuses a child under 7", edit: ProfileEdit{BirthDate: editText(now.AddDate(-5, 0, 0).Format(time.DateOnly))},
			field: "birth_date", key: MsgBirthDateUnder7},
		{name: "refuses to make an adult a child under 16", edit: ProfileEdit{BirthDate: editText(child)}, field: "birth_date", key: MsgBirthDateMinor},
		{name: "refuses a child's date where none was given", start: func(u *User) { u.BirthDate = "" },
			edit: ProfileEdit{BirthDate: editText(child)}, field: "birth_date", key: MsgBirthDateMinor},
		{name: "corrects a child's date registered with a representative's consent",
			start: func(u *User) { u.BirthDate = now.AddDate(-13, 0, 0).Format(time.DateOnly) },
			edit:  ProfileEdit{BirthDate: editText(child)}},
		{name: "requires a name", edit: ProfileEdit{FullName: editText(" ")}, field: "full_name", key: MsgRequired},
		{name: "refuses digits in a name", edit: ProfileEdit{FullName: editText("An 123")}, field: "full_name", key: MsgNameInvalid},
		{name: "requires a phone", edit: ProfileEdit{Phone: editText(""), PasswordChecked: true}, field: "phone", key: MsgRequired},
		{name: "refuses a landline", edit: ProfileEdit{Phone: editText("0243825000"), PasswordChecked: true}, field: "phone", key: MsgPhoneInvalid},
		{name: "refuses a province outside the 34", edit: ProfileEdit{Province: editText("02")}, field: "province", key: MsgProvinceInvalid},
		{name: "refuses a broken e-mail", edit: ProfileEdit{Email: editText("an@"), PasswordChecked: true}, field: "email", key: MsgEmailInvalid},
		{name: "asks the password to change the phone", edit: ProfileEdit{Phone: editText("0987654321")},
			field: "current_password", key: MsgPasswordForLogin},
		{name: "asks the password to change the e-mail", edit: ProfileEdit{Email: editText("an@example.vn")},
			field: "current_password", key: MsgPasswordForLogin},
		{name: "does not ask it for the phone written another way", edit: ProfileEdit{Phone: editText("+84 912 345 678")}},
		{name: "changes the phone once the password is checked", edit: ProfileEdit{Phone: editText("+84 987.654.321"), PasswordChecked: true},
			check: func(t *testing.T, u User) {
				if u.Phone != "0987654321" {
					t.Errorf("phone %q", u.Phone)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := profileOf()
			if tt.start != nil {
				tt.start(&start)
			}
			got, err := rules.Apply(start, tt.edit, now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if tt.check != nil {
					tt.check(t, got)
				}
				return
			}
			qe, ok := err.(*Error)
			if !ok || qe.Code != CodeValidation {
				t.Fatalf("got %v, want a validation error", err)
			}
			if qe.Fields[tt.field] != tt.key {
				t.Errorf("field %s: got %q, want %q (all: %v)", tt.field, qe.Fields[tt.field], tt.key, qe.Fields)
			}
		})
	}
}

func TestProfileChangesNamesTheFieldsOnly(t *testing.T) {
	a := profileOf()
	b := a
	b.Phone, b.Unit = "0987654321", "Sở Tư pháp"
	got := profileChanges(a, b)
	if len(got) != 2 || got[0] != "phone" || got[1] != "unit" {
		t.Errorf("changes %v, want [phone unit]", got)
	}
	if got := profileChanges(a, a); len(got) != 0 {
		t.Errorf("changes of an unchanged account: %v", got)
	}
}
