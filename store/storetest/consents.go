package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"hoithi/quiz"
)

// PlainHasher stands for bcrypt in the tests: "plain:" and the password.
type PlainHasher struct{}

func (PlainHasher) Hash(p string) (string, error) { return "plain:" + p, nil }
func (PlainHasher) Check(h, p string) bool        { return h == "plain:"+p }

// runConsents runs quiz.Consents and quiz.Accounts' registration over a
// store: the consents recorded with the text shown, a representative's
// beside a minor's, and entry into a contest by its controller and the
// identity it asks.
func runConsents(t *testing.T, open func(t *testing.T) Full) {
	t.Run("the text shown is kept", func(t *testing.T) { testConsentText(t, open) })
	t.Run("a minor consents with their representative", func(t *testing.T) { testMinorsConsent(t, open) })
	t.Run("entry needs consent to the contest's controller", func(t *testing.T) { testEntryConsent(t, open) })
	t.Run("entry needs the identity a contest asks", func(t *testing.T) { testEntryIdentity(t, open) })
	t.Run("a claim checks the age", func(t *testing.T) { testClaimAge(t, open) })
	t.Run("a contest's settings are stored", func(t *testing.T) { testContestSettings(t, open) })
}

var quangTri = quiz.Controller{Name: "Sở Tư pháp tỉnh Quảng Trị", Address: "Số 1 Hùng Vương, phường Đông Hà",
	Contact: "0233 3852 000"}

// consenting is a published contest with an open round, the consent
// service over the installation's controller, and the accounts service.
type consenting struct {
	served
	consents *quiz.Consents
	accounts *quiz.Accounts
	contest  quiz.Contest
}

func newConsenting(t *testing.T, open func(t *testing.T) Full) consenting {
	t.Helper()
	f := newServed(t, open, 6, 3, 2)
	ctx := context.Background()
	if err := f.s.PublishContest(ctx, f.round.ContestID, time.Now()); err != nil {
		t.Fatal(err)
	}
	ct, err := f.s.Contest(ctx, f.round.ContestID)
	if err != nil {
		t.Fatal(err)
	}
	return consenting{served: f, contest: ct,
		consents: quiz.NewConsents(f.s, quangTri, time.Now),
		accounts: quiz.NewAccounts(f.s, PlainHasher{}, []quiz.Province{{Code: "44", Name: "Quảng Trị"}}, time.Now)}
}

// register registers a contestant through ct (nil: at large) with the
// notice the page would show.
func (f consenting) register(t *testing.T, ct *quiz.Contest, reg quiz.Registration) quiz.User {
	t.Helper()
	ctx := context.Background()
	n, err := f.consents.Notice(ctx, ct, "vi")
	if err != nil {
		t.Fatal(err)
	}
	reg.Notice = n
	if reg.Province == "" {
		reg.Province, reg.Password, reg.Consent = "44", "mat-khau-123", true
	}
	u, err := f.accounts.Register(ctx, reg, quiz.ClientInfo{IP: "203.0.113.9", UserAgent: "Firefox"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func testConsentText(t *testing.T, open func(t *testing.T) Full) {
	f := newConsenting(t, open)
	ctx := context.Background()
	a := f.register(t, nil, quiz.Registration{FullName: "Hồ Thị Lan", BirthDate: "1990-01-02", IDNumber: "045190000001", Phone: "0912000001"})
	b := f.register(t, nil, quiz.Registration{FullName: "Võ Văn Nam", BirthDate: "1991-01-02", IDNumber: "045191000001", Phone: "0912000002"})

	t.Run("records the text with the controller filled in, and its hash", func(t *testing.T) {
		ks, err := f.s.Consents(ctx, a.ID)
		if err != nil || len(ks) != 1 {
			t.Fatalf("consents %+v, %v", ks, err)
		}
		k := ks[0]
		sum := sha256.Sum256([]byte(k.Text))
		if k.Version != "contest-2026-02" || k.Controller != quangTri.Name || k.GivenBy() != "self" || k.Lang != "vi" ||
			!strings.Contains(k.Text, "Bên kiểm soát và xử lý dữ liệu cá nhân: Sở Tư pháp tỉnh Quảng Trị. Địa chỉ: Số 1 Hùng Vương") ||
			strings.Contains(k.Text, "{controller") || k.TextSHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("consent %+v", k)
		}
	})
	t.Run("keeps one copy of a text many read", func(t *testing.T) {
		if kept, err := f.s.ColumnText(ctx, "consent_shown", "sha256"); err != nil || len(kept) != 1 {
			t.Errorf("%d texts kept for two consents to one text (%v), want 1", len(kept), err)
		}
		kb, _ := f.s.Consents(ctx, b.ID)
		ka, _ := f.s.Consents(ctx, a.ID)
		if kb[0].TextSHA256 != ka[0].TextSHA256 {
			t.Error("two consents to one text name different texts")
		}
	})
	t.Run("the download of one's own data holds the text shown", func(t *testing.T) {
		d, err := quiz.NewPrivacy(f.s, time.Now).OwnData(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Consents) != 1 || !strings.Contains(d.Consents[0].TextVI, quangTri.Name) {
			t.Errorf("own data consents %+v, want the text naming %s", d.Consents, quangTri.Name)
		}
	})
	t.Run("a consent of the first version still shows that version's text", func(t *testing.T) {
		d, err := quiz.NewPrivacy(f.s, time.Now).OwnData(ctx, f.user.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Consents) != 1 || !strings.Contains(d.Consents[0].TextVI, "đơn vị tổ chức cuộc thi xử lý") {
			t.Errorf("own data consents %+v, want version 1's text", d.Consents)
		}
	})
}

func testMinorsConsent(t *testing.T, open func(t *testing.T) Full) {
	f := newConsenting(t, open)
	ctx := context.Background()
	birth := time.Now().In(quiz.Vietnam).AddDate(-12, 0, 0).Format(time.DateOnly)
	child := f.register(t, nil, quiz.Registration{FullName: "Trần Bảo Anh", BirthDate: birth, IDNumber: "045213000123",
		Phone: "0912000003", Guardian: &quiz.GuardianConsent{Guardian: quiz.Guardian{FullName: "Trần Văn Bình",
			Relationship: "Cha", Phone: "0905123456"}, Consent: true}})
	ks, err := f.s.Consents(ctx, child.ID)
	if err != nil || len(ks) != 2 {
		t.Fatalf("consents %+v, %v; want the child's and the representative's", ks, err)
	}
	self, rep := ks[0], ks[1]
	if self.GivenBy() != "self" || rep.GivenBy() != "guardian" || rep.Representative.FullName != "Trần Văn Bình" ||
		rep.Representative.Relationship != "Cha" || rep.Representative.Phone != "0905123456" ||
		!rep.AgreedAt.Equal(self.AgreedAt) || rep.Version != self.Version || rep.TextSHA256 != self.TextSHA256 {
		t.Errorf("child %+v\nrepresentative %+v", self, rep)
	}
	f2, err := f.s.EntryFacts(ctx, child.ID, 0, quangTri.Name, time.Now())
	if err != nil || !f2.HadGuardian || !f2.Consented {
		t.Errorf("entry facts %+v, %v", f2, err)
	}
}

func testEntryConsent(t *testing.T, open func(t *testing.T) Full) {
	f := newConsenting(t, open)
	ctx := context.Background()
	u := f.register(t, nil, quiz.Registration{FullName: "Hồ Thị Lan", BirthDate: "1990-01-02", IDNumber: "045190000001", Phone: "0912000001"})

	t.Run("lets in a contestant who consented to the installation's controller", func(t *testing.T) {
		if err := f.consents.CheckEntry(ctx, u.ID, f.round.ID); err != nil {
			t.Errorf("got %v, want in", err)
		}
	})
	commune := quiz.Controller{Name: "UBND xã Cam Lộ", Address: "Thôn 1, xã Cam Lộ", Contact: "0233 3871 234"}
	if _, err := quiz.NewCatalog(f.s, time.Now).UpdateContest(ctx, f.contest.ID, quiz.ContestPatch{Controller: &commune}); err != nil {
		t.Fatal(err)
	}
	t.Run("keeps them out once the contest names another controller", func(t *testing.T) {
		if err := f.consents.CheckEntry(ctx, u.ID, f.round.ID); quiz.ErrorCode(err) != quiz.CodeConsentRequired {
			t.Errorf("got %v, want consent_required", err)
		}
	})
	t.Run("records a consent to that contest and lets them in", func(t *testing.T) {
		recorded, err := f.consents.ConsentToContest(ctx, u.ID, f.contest.ID, quiz.ContestConsent{Consent: true}, "en", quiz.ClientInfo{IP: "203.0.113.9"})
		if err != nil || !recorded {
			t.Fatalf("recorded %v, %v", recorded, err)
		}
		if err := f.consents.CheckEntry(ctx, u.ID, f.round.ID); err != nil {
			t.Errorf("got %v, want in", err)
		}
		ks, _ := f.s.Consents(ctx, u.ID)
		last := ks[len(ks)-1]
		if len(ks) != 2 || last.ContestID != f.contest.ID || last.Controller != commune.Name || last.Lang != "en" ||
			!strings.Contains(last.Text, "Controller and processor of the personal data: UBND xã Cam Lộ") {
			t.Errorf("consents %+v", ks)
		}
	})
	t.Run("records nothing more when asked again", func(t *testing.T) {
		recorded, err := f.consents.ConsentToContest(ctx, u.ID, f.contest.ID, quiz.ContestConsent{Consent: true}, "vi", quiz.ClientInfo{})
		if err != nil || recorded {
			t.Errorf("recorded %v, %v; want nothing new", recorded, err)
		}
	})
	t.Run("needs the box ticked", func(t *testing.T) {
		other := f.register(t, nil, quiz.Registration{FullName: "Võ Văn Nam", BirthDate: "1991-01-02", IDNumber: "045191000001", Phone: "0912000002"})
		_, err := f.consents.ConsentToContest(ctx, other.ID, f.contest.ID, quiz.ContestConsent{}, "vi", quiz.ClientInfo{})
		if qe, ok := err.(*quiz.Error); !ok || qe.Fields["consent"] != quiz.MsgContestConsent {
			t.Errorf("got %v, want consent required", err)
		}
	})
	t.Run("asks a minor's representative too", func(t *testing.T) {
		birth := time.Now().In(quiz.Vietnam).AddDate(-10, 0, 0).Format(time.DateOnly)
		child := f.register(t, nil, quiz.Registration{FullName: "Lê Bảo Châu", BirthDate: birth, IDNumber: "045216000001",
			Phone: "0912000004", Guardian: &quiz.GuardianConsent{Guardian: quiz.Guardian{FullName: "Lê Thị Hoa", Relationship: "Mẹ",
				Phone: "0905000001"}, Consent: true}})
		_, err := f.consents.ConsentToContest(ctx, child.ID, f.contest.ID, quiz.ContestConsent{Consent: true}, "vi", quiz.ClientInfo{})
		if qe, ok := err.(*quiz.Error); !ok || qe.Fields["guardian"] != quiz.MsgGuardianRequired {
			t.Fatalf("got %v, want the representative asked for", err)
		}
		_, err = f.consents.ConsentToContest(ctx, child.ID, f.contest.ID, quiz.ContestConsent{Consent: true,
			Guardian: &quiz.GuardianConsent{Guardian: quiz.Guardian{FullName: "Lê Thị Hoa", Relationship: "Mẹ", Phone: "0905000001"}, Consent: true}},
			"vi", quiz.ClientInfo{})
		if err != nil {
			t.Fatal(err)
		}
		ks, _ := f.s.Consents(ctx, child.ID)
		if len(ks) != 4 || ks[3].Representative == nil || ks[3].ContestID != f.contest.ID {
			t.Errorf("consents %+v, want the registration's two and the contest's two", ks)
		}
	})
	t.Run("lets an attempt under way resume whatever the contest asks since", func(t *testing.T) {
		// The fixture's contestant agreed to the first text, which named
		// nobody: a new start waits for their consent, a running attempt
		// does not.
		if err := f.consents.CheckEntry(ctx, f.user.ID, f.round.ID); quiz.ErrorCode(err) != quiz.CodeConsentRequired {
			t.Fatalf("got %v before any attempt, want consent_required", err)
		}
		if _, _, err := f.newAttempt(t, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := f.consents.CheckEntry(ctx, f.user.ID, f.round.ID); err != nil {
			t.Errorf("got %v with an attempt running, want it resumed", err)
		}
	})
	t.Run("leaves a round not open to the engine", func(t *testing.T) {
		if err := f.consents.CheckEntry(ctx, u.ID, 999999); err != nil {
			t.Errorf("got %v for a missing round, want nil", err)
		}
	})
}

func testEntryIdentity(t *testing.T, open func(t *testing.T) Full) {
	f := newConsenting(t, open)
	ctx := context.Background()
	catalog := quiz.NewCatalog(f.s, time.Now)
	prize := quiz.IdentityAtPrize
	if _, err := catalog.UpdateContest(ctx, f.contest.ID, quiz.ContestPatch{IdentityAt: &prize}); err != nil {
		t.Fatal(err)
	}
	ct, _ := f.s.Contest(ctx, f.contest.ID)
	u := f.register(t, &ct, quiz.Registration{FullName: "Lê Minh Khoa", Phone: "0912000005", AtLeast16: true})
	if u.BirthDate != "" || u.IDNumber != "" {
		t.Fatalf("account %+v, want no birth date nor identity number", u)
	}
	ks, _ := f.s.Consents(ctx, u.ID)
	if len(ks) != 1 || !ks[0].Stated16Plus || ks[0].ContestID != ct.ID || !strings.Contains(ks[0].Text, "chỉ khi bạn đoạt giải và nhận giải") {
		t.Errorf("consents %+v, want the stated age and the winners-only text", ks)
	}
	t.Run("lets them into the contest that asks winners only", func(t *testing.T) {
		if err := f.consents.CheckEntry(ctx, u.ID, f.round.ID); err != nil {
			t.Errorf("got %v, want in", err)
		}
	})
	t.Run("keeps them out of it once it asks at registration", func(t *testing.T) {
		reg := quiz.IdentityAtRegistration
		if _, err := catalog.UpdateContest(ctx, f.contest.ID, quiz.ContestPatch{IdentityAt: &reg}); err != nil {
			t.Fatal(err)
		}
		// The round read a moment ago is cached; the change must show at once.
		if err := f.consents.CheckEntry(ctx, u.ID, f.round.ID); quiz.ErrorCode(err) != quiz.CodeIdentityRequired {
			t.Errorf("got %v, want identity_required", err)
		}
	})
}

func testClaimAge(t *testing.T, open func(t *testing.T) Full) {
	f := newConsenting(t, open)
	ctx := context.Background()
	prize := quiz.IdentityAtPrize
	ct, err := quiz.NewCatalog(f.s, time.Now).UpdateContest(ctx, f.contest.ID, quiz.ContestPatch{IdentityAt: &prize})
	if err != nil {
		t.Fatal(err)
	}
	adult := f.register(t, &ct, quiz.Registration{FullName: "Lê Minh Khoa", Phone: "0912000005", AtLeast16: true})
	child := f.register(t, &ct, quiz.Registration{FullName: "Lê Bảo Châu", Phone: "0912000006",
		Guardian: &quiz.GuardianConsent{Guardian: quiz.Guardian{FullName: "Lê Thị Hoa", Relationship: "Mẹ", Phone: "0905000001"}, Consent: true}})
	years := func(n int) string { return time.Now().In(quiz.Vietnam).AddDate(-n, 0, 0).Format(time.DateOnly) }
	tests := []struct {
		name  string
		user  int64
		birth string
		field string
		key   string
	}{
		{"accepts an adult's birth date", adult.ID, years(30), "", ""},
		{"refuses a claim by someone under 7", child.ID, years(6), "birth_date", quiz.MsgUnder7},
		{"accepts a minor whose representative consented", child.ID, years(12), "", ""},
		{"asks a representative of a minor who said they were 16", adult.ID, years(15), "guardian", quiz.MsgGuardianRequired},
		{"refuses a date that is none", adult.ID, "31/02/2000", "birth_date", quiz.MsgBirthDateInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := f.accounts.CheckClaimAge(ctx, tt.user, tt.birth)
			if tt.field == "" {
				if err != nil {
					t.Errorf("got %v, want none", err)
				}
				return
			}
			if qe, ok := err.(*quiz.Error); !ok || qe.Fields[tt.field] != tt.key {
				t.Errorf("got %v, want %s: %s", err, tt.field, tt.key)
			}
		})
	}
}

func testContestSettings(t *testing.T, open func(t *testing.T) Full) {
	f := newConsenting(t, open)
	ctx := context.Background()
	catalog := quiz.NewCatalog(f.s, time.Now)
	fresh, err := catalog.CreateContest(ctx, quiz.Contest{Slug: "moi", Title: "Cuộc thi mới"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.s.Contest(ctx, fresh.ID)
	if got.Rules != quiz.RulesTemplate || got.IdentityAt != quiz.IdentityAtRegistration || !got.Controller.IsZero() {
		t.Errorf("new contest %+v, want the template rules, asked at registration, no controller of its own", got)
	}
	rules := "Điều 1. <b>Đối tượng</b>\n- Mọi người"
	bad := quiz.Controller{Name: "Sở Tư pháp"}
	if _, err := catalog.UpdateContest(ctx, fresh.ID, quiz.ContestPatch{Rules: &rules, Controller: &bad}); quiz.ErrorCode(err) != quiz.CodeValidation {
		t.Fatalf("got %v, want validation_failed", err)
	}
	if again, _ := f.s.Contest(ctx, fresh.ID); again.Rules != quiz.RulesTemplate {
		t.Error("a refused change changed the rules")
	}
	updated, err := catalog.UpdateContest(ctx, fresh.ID, quiz.ContestPatch{Rules: &rules, Controller: &quangTri})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Rules != rules || updated.Controller != quangTri || updated.Title != "Cuộc thi mới" {
		t.Errorf("updated %+v", updated)
	}
}
