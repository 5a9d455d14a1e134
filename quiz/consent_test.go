package quiz

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// registrationAt is a valid registration of someone born on birth.
func registrationAt(birth string) Registration {
	r := validRegistration()
	r.BirthDate = birth
	return r
}

func fullGuardian() *GuardianConsent {
	return &GuardianConsent{Guardian: Guardian{FullName: "Trần Văn Bình", Relationship: "Cha", Phone: "0905 123 456"}, Consent: true}
}

func TestRegistrationAgeRules(t *testing.T) {
	// 10:00 on 2 April 2026 in Hà Nội is still 1 April in UTC until 07:00:
	// ages count on Vietnam's calendar day.
	now := time.Date(2026, 4, 2, 1, 0, 0, 0, time.UTC)
	prize := Notice{Version: "v", IdentityAt: IdentityAtPrize}
	tests := []struct {
		name   string
		reg    func() Registration
		field  string // "" when valid
		key    string
		second bool // a representative's consent is recorded too
	}{
		{"registers someone who turns 16 today in Vietnam", func() Registration { return registrationAt("2010-04-02") }, "", "", false},
		{"asks a representative of someone who turns 16 tomorrow", func() Registration { return registrationAt("2010-04-03") }, "guardian", MsgGuardianRequired, false},
		{"registers a 15-year-old with a representative's consent", func() Registration {
			r := registrationAt("2011-01-01")
			r.Guardian = fullGuardian()
			return r
		}, "", "", true},
		{"ignores a representative sent for an adult", func() Registration {
			r := validRegistration()
			r.Guardian = fullGuardian()
			return r
		}, "", "", false},
		{"takes an empty representative's block as none", func() Registration {
			r := registrationAt("2015-06-01")
			r.Guardian = &GuardianConsent{}
			return r
		}, "guardian", MsgGuardianRequired, false},
		{"needs the representative's phone", func() Registration {
			r := registrationAt("2015-06-01")
			r.Guardian = fullGuardian()
			r.Guardian.Phone = "12345"
			return r
		}, "guardian.phone", MsgPhoneInvalid, false},
		{"needs the representative's own tick", func() Registration {
			r := registrationAt("2015-06-01")
			r.Guardian = fullGuardian()
			r.Guardian.Consent = false
			return r
		}, "guardian.consent", MsgGuardianConsent, false},
		{"needs the relationship in words", func() Registration {
			r := registrationAt("2015-06-01")
			r.Guardian = fullGuardian()
			r.Guardian.Relationship = "123"
			return r
		}, "guardian.relationship", MsgRelationship, false},
		{"accepts Cha/mẹ as a relationship", func() Registration {
			r := registrationAt("2015-06-01")
			r.Guardian = fullGuardian()
			r.Guardian.Relationship = "Cha/mẹ"
			return r
		}, "", "", true},
		{"registers someone who turned 7 today", func() Registration {
			r := registrationAt("2019-04-02")
			r.Guardian = fullGuardian()
			return r
		}, "", "", true},
		{"refuses someone under 7 even with a representative", func() Registration {
			r := registrationAt("2019-04-03")
			r.Guardian = fullGuardian()
			return r
		}, "birth_date", MsgUnder7, false},
		{"asks no birth date nor identity number in a contest that asks winners only", func() Registration {
			r := validRegistration()
			r.BirthDate, r.IDNumber, r.AtLeast16, r.Notice = "", "", true, prize
			return r
		}, "", "", false},
		{"asks the age when neither 16 nor a representative is said", func() Registration {
			r := validRegistration()
			r.BirthDate, r.IDNumber, r.Notice = "", "", prize
			return r
		}, "at_least_16", MsgAgeRequired, false},
		{"takes a representative instead of the age said", func() Registration {
			r := validRegistration()
			r.BirthDate, r.IDNumber, r.Notice, r.Guardian = "", "", prize, fullGuardian()
			return r
		}, "", "", true},
		{"still asks the birth date at registration by default", func() Registration {
			r := validRegistration()
			r.BirthDate, r.AtLeast16 = "", true
			return r
		}, "birth_date", MsgRequired, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, guardian, err := tt.reg().check(testProvinces, now)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if (guardian != nil) != tt.second {
					t.Errorf("representative %+v, want one recorded: %v", guardian, tt.second)
				}
				return
			}
			qe, ok := err.(*Error)
			if !ok || qe.Fields[tt.field] != tt.key {
				t.Fatalf("got %v, want %s: %s", err, tt.field, tt.key)
			}
		})
	}
}

func TestGuardianIsCleaned(t *testing.T) {
	r := registrationAt("2014-01-01")
	r.Guardian = &GuardianConsent{Guardian: Guardian{FullName: norm.NFD.String("  Trần  Thị Hoa "), Relationship: " Mẹ ", Phone: "+84 905 123 456"}, Consent: true}
	_, g, err := r.check(testProvinces, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if g == nil || g.FullName != "Trần Thị Hoa" || g.Relationship != "Mẹ" || g.Phone != "0905123456" {
		t.Errorf("representative %+v, want NFC, trimmed, phone as 10 digits", g)
	}
}

func TestRenderNoticeFillsTheController(t *testing.T) {
	text := ConsentText{Version: "v2", BodyVI: "Bên kiểm soát: {controller_name}, {controller_address}, {controller_contact}. Hỏi {identity_when}.",
		BodyEN: "Controller: {controller_name}. Asked {identity_when}."}
	ctl := Controller{Name: "Sở Tư pháp", Address: "Số 1 Hùng Vương", Contact: "0233 3852 000"}
	vi := RenderNotice(text, "vi", ctl, IdentityAtRegistration)
	if want := "Bên kiểm soát: Sở Tư pháp, Số 1 Hùng Vương, 0233 3852 000. Hỏi khi đăng ký."; vi.Text != want || vi.Lang != "vi" {
		t.Errorf("vi %q (%s), want %q", vi.Text, vi.Lang, want)
	}
	en := RenderNotice(text, "en", ctl, IdentityAtPrize)
	if !strings.Contains(en.Text, "Sở Tư pháp") || !strings.Contains(en.Text, "only from prize winners") || en.Lang != "en" {
		t.Errorf("en %q, want the controller and the winners-only rule", en.Text)
	}
	if other := RenderNotice(text, "fr", ctl, ""); other.Lang != "vi" || other.IdentityAt != IdentityAtRegistration {
		t.Errorf("an unknown language gave %s, %s; want Vietnamese, asked at registration", other.Lang, other.IdentityAt)
	}
}

func TestControllerDefaults(t *testing.T) {
	got := Controller{Name: " Sở  Tư pháp "}.WithDefaults()
	if got.Name != "Sở Tư pháp" || got.Address != NeutralController.Address || got.Contact != NeutralController.Contact {
		t.Errorf("got %+v, want the name cleaned and the rest neutral", got)
	}
}

func validContest() Contest {
	return Contest{Slug: "hoi-thi", Title: "Hội thi", Rules: "Điều 1.", IdentityAt: IdentityAtRegistration,
		Controller: Controller{Name: "Sở Tư pháp", Address: "Số 1 Hùng Vương", Contact: "sotp@quangtri.gov.vn"}}
}

func TestContestSettings(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Contest)
		field  string
		key    string
	}{
		{"accepts valid settings", func(*Contest) {}, "", ""},
		{"accepts no controller: the installation's", func(c *Contest) { c.Controller = Controller{} }, "", ""},
		{"accepts a landline as the contact", func(c *Contest) { c.Controller.Contact = "0233.3852.000" }, "", ""},
		{"needs the address with the name", func(c *Contest) { c.Controller.Address = " " }, "controller.address", MsgControllerPartial},
		{"needs the name with the contact", func(c *Contest) { c.Controller.Name = "" }, "controller.name", MsgControllerPartial},
		{"needs a phone or an e-mail as the contact", func(c *Contest) { c.Controller.Contact = "Phòng Hành chính" }, "controller.contact", MsgControllerContact},
		{"limits the controller's name", func(c *Contest) { c.Controller.Name = strings.Repeat("a", 301) }, "controller.name", MsgControllerTooLong},
		{"knows two identity rules", func(c *Contest) { c.IdentityAt = "later" }, "identity_at", MsgIdentityAtInvalid},
		{"limits the rules to 20,000 characters", func(c *Contest) { c.Rules = strings.Repeat("ệ", 20001) }, "rules", MsgRulesTooLong},
		{"takes 20,000 characters of rules", func(c *Contest) { c.Rules = strings.Repeat("ệ", 20000) }, "", ""},
		{"refuses control characters in the rules", func(c *Contest) { c.Rules = "Điều 1.\x00" }, "rules", MsgRulesCharacters},
		{"requires a title", func(c *Contest) { c.Title = "" }, "title", MsgRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validContest()
			tt.change(&c)
			bad := FieldErrors{}
			c.normalizeSettings(bad)
			if tt.field == "" {
				if len(bad) > 0 {
					t.Fatalf("got %v, want none", bad)
				}
				return
			}
			if bad[tt.field] != tt.key {
				t.Errorf("got %v, want %s: %s", bad, tt.field, tt.key)
			}
		})
	}
}

func TestRulesAreKeptAsTyped(t *testing.T) {
	c := validContest()
	c.Rules = "\r\n" + norm.NFD.String("Điều 1. Đối tượng") + "\r\n    - thụt  lề   \r\n\r\n"
	got := c.normalizeSettings(FieldErrors{})
	if want := "Điều 1. Đối tượng\n    - thụt  lề"; got.Rules != want {
		t.Errorf("rules %q, want %q: NFC, Unix line ends, the inner spacing kept", got.Rules, want)
	}
	if !utf8.ValidString(got.Rules) || !norm.NFC.IsNormalString(got.Rules) {
		t.Error("rules not NFC")
	}
}

func TestRulesTemplateStatesTheRules(t *testing.T) {
	for _, want := range []string{
		// who may not enter, how a multi-answer question scores, the tie-break
		// order, one prize per person, complaints, the placeholders
		"trực tiếp tham gia tổ chức cuộc thi không được dự thi",
		"chọn đủ tất cả các đáp án đúng và không chọn đáp án sai nào",
		"1. Điểm cao hơn.", "2. Dự đoán có sai số nhỏ hơn", "3. Thời gian làm bài ngắn hơn", "4. Vào thi sớm hơn.",
		"nhiều nhất một giải trong một đợt thi", "Khiếu nại", RulesBlank,
		RulesController, RulesContact, RulesRounds, RulesPrizes, RulesNotice,
	} {
		if !strings.Contains(RulesTemplate, want) {
			t.Errorf("the template lacks %q", want)
		}
	}
}

func TestRulesLines(t *testing.T) {
	opens := time.Date(2026, 12, 1, 1, 0, 0, 0, time.UTC) // 08:00 in Vietnam
	r := Round{Name: "Tuần 1", OpensAt: opens, ClosesAt: opens.Add(7*24*time.Hour + 9*time.Hour), DurationSeconds: 630,
		QuestionCount: 20, PointsPerQuestion: 2, MaxAttempts: 0, Prizes: []Prize{{"Giải Nhất", 1}, {"Giải Nhì", 2}},
		PrizeCapPercent: 10, UnitPrizes: []Prize{{"Giải tập thể", 3}}}
	practice := Round{Name: "Thi thử", OpensAt: opens, ClosesAt: opens.Add(time.Hour), DurationSeconds: 600, QuestionCount: 5, MaxAttempts: 3}
	lines := RulesRoundLines([]Round{r, practice})
	want := "Tuần 1: từ 08:00 ngày 01/12/2026 đến 17:00 ngày 08/12/2026 (giờ Việt Nam); mỗi lượt thi 20 câu hỏi, làm trong 10 phút 30 giây, mỗi câu trả lời đúng được 2 điểm; không giới hạn số lượt thi."
	if lines[0] != want {
		t.Errorf("round line\n%q\nwant\n%q", lines[0], want)
	}
	if !strings.Contains(lines[1], "tối đa 3 lượt") || !strings.Contains(lines[1], "10 phút,") {
		t.Errorf("practice line %q", lines[1])
	}
	prizes := RulesPrizeLines(Contest{Rounds: []Round{r, practice}, OnePrizePerPerson: true})
	if len(prizes) != 3 || !strings.Contains(prizes[0], "1 Giải Nhất, 2 Giải Nhì") || !strings.Contains(prizes[0], "10% số người dự thi") ||
		!strings.Contains(prizes[0], "3 Giải tập thể") || prizes[1] != "Thi thử: không có giải thưởng." ||
		!strings.Contains(prizes[2], "trong cả cuộc thi") {
		t.Errorf("prize lines %q", prizes)
	}
	if got := RulesRoundLines(nil); len(got) != 1 || !strings.Contains(got[0], "sẽ được Ban Tổ chức thông báo") {
		t.Errorf("no rounds: %q", got)
	}
}
