package storetest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"hoithi/quiz"
)

// runAccountAdmin runs quiz.AccountAdmin over a store: reset links, by
// staff or by e-mail, and the staff accounts' names and first passwords.
func runAccountAdmin(t *testing.T, open func(t *testing.T) Full) {
	t.Run("reset links", func(t *testing.T) { testResetLinks(t, open) })
	t.Run("who may issue a reset link", func(t *testing.T) { testWhoMayIssueResetLinks(t, open) })
	t.Run("reset links by e-mail", func(t *testing.T) { testResetLinksByEmail(t, open) })
	t.Run("staff names and first passwords", func(t *testing.T) { testStaffNamesAndFirstPasswords(t, open) })
}

// clock is a time the test moves.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// mailbox stands for the mail server: these tests are about the links.
type mailbox struct {
	mu   sync.Mutex
	sent []quiz.Mail
}

func (m *mailbox) Send(_ context.Context, mail quiz.Mail) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, mail)
	return nil
}

func (m *mailbox) all() []quiz.Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]quiz.Mail(nil), m.sent...)
}

// resetRig is a database with an admin, an organizer, an official and a
// contestant who gave an e-mail.
type resetRig struct {
	s                                    Full
	clk                                  *clock
	accounts                             *quiz.Accounts
	admin                                *quiz.AccountAdmin
	mail                                 *mailbox
	adminID, organizerID, officialID, id int64
}

func newResetRig(t *testing.T, open func(t *testing.T) Full) *resetRig {
	t.Helper()
	ctx := context.Background()
	db := open(t)
	clk := &clock{time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	accounts := quiz.NewAccounts(db, PlainHasher{}, []quiz.Province{{Code: "01", Name: "Hà Nội"}}, clk.now)
	r := &resetRig{s: db, clk: clk, accounts: accounts, mail: &mailbox{}}
	r.admin = quiz.NewAccountAdmin(db, accounts, r.mail, nil, clk.now)
	for _, s := range []struct {
		email string
		role  quiz.Role
		id    *int64
	}{{"quan-tri@so.gov.vn", quiz.RoleAdmin, &r.adminID}, {"to-chuc@so.gov.vn", quiz.RoleOrganizer, &r.organizerID},
		{"can-bo@so.gov.vn", quiz.RoleOfficial, &r.officialID}} {
		u, err := accounts.CreateStaff(ctx, quiz.StaffAccount{Email: s.email, Password: "mat-khau-123", Role: s.role, FullName: "Lê Văn Tâm"})
		if err != nil {
			t.Fatal(err)
		}
		*s.id = u.ID
	}
	u, err := accounts.Register(ctx, quiz.Registration{FullName: "Nguyễn Thị Hoa", BirthDate: "1990-05-12", IDNumber: "001190012345",
		Phone: "0912345678", Email: "hoa@gmail.example", Province: "01", Unit: "UBND xã Yên Hòa",
		Password: "mat-khau-cu-1", Consent: true}, quiz.ClientInfo{})
	if err != nil {
		t.Fatal(err)
	}
	r.id = u.ID
	return r
}

func (r *resetRig) issue(t *testing.T, by, target int64) quiz.ResetLink {
	t.Helper()
	link, err := r.admin.IssueReset(context.Background(), quiz.Actor{ID: by, Name: "Lê Văn Tâm", IP: "10.0.0.1"}, target)
	if err != nil {
		t.Fatalf("issue a link: %v", err)
	}
	return link
}

func testResetLinks(t *testing.T, open func(t *testing.T) Full) {
	ctx := context.Background()

	t.Run("a link is kept only as a hash of its token, and says who issued it for whom", func(t *testing.T) {
		r := newResetRig(t, open)
		link := r.issue(t, r.organizerID, r.id)
		if len(link.Token) < 43 {
			t.Errorf("token %q: want at least 256 bits in base64", link.Token)
		}
		if want := r.clk.t.Add(quiz.StaffResetTTL); !link.ExpiresAt.Equal(want) {
			t.Errorf("expires %v, want %v", link.ExpiresAt, want)
		}
		stored, err := r.s.ColumnText(ctx, "password_resets", "token_hash")
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) != 1 || strings.Contains(stored[0], link.Token) || stored[0] != quiz.ResetTokenHash(link.Token) {
			t.Errorf("stored %q for the token %q, want its hash only", stored, link.Token)
		}
		issued := r.audited(t, func(e quiz.AuditEntry) bool {
			return e.Action == quiz.AuditIssueResetLink && e.UserID == r.organizerID
		})
		if len(issued) != 1 || !strings.Contains(issued[0].Detail, "account=") || strings.Contains(issued[0].Detail, "Hoa") {
			t.Errorf("audit %+v: want one entry of the issuer, naming the account by id only", issued)
		}
	})

	t.Run("a link sets the password once and ends every session", func(t *testing.T) {
		r := newResetRig(t, open)
		link := r.issue(t, r.organizerID, r.id)
		before, err := r.accounts.User(ctx, r.id)
		if err != nil {
			t.Fatal(err)
		}
		u, err := r.admin.Reset(ctx, link.Token, "mat-khau-moi-1", "10.0.0.2")
		if err != nil {
			t.Fatalf("reset: %v", err)
		}
		if _, err := r.accounts.Login(ctx, "0912345678", "mat-khau-moi-1"); err != nil {
			t.Errorf("sign in with the new password: %v", err)
		}
		if _, err := r.accounts.Login(ctx, "0912345678", "mat-khau-cu-1"); err == nil {
			t.Error("the old password still signs in")
		}
		over, err := r.accounts.SessionOver(ctx, quiz.Session{ID: "x", UserID: r.id, Epoch: before.SessionEpoch, ExpiresAt: r.clk.t.Add(time.Hour)})
		if err != nil || !over {
			t.Errorf("a session from before the reset: over %v (%v), want over", over, err)
		}
		if u.SessionEpoch <= before.SessionEpoch {
			t.Errorf("epoch %d after the reset, want above %d", u.SessionEpoch, before.SessionEpoch)
		}
		if _, err := r.admin.Reset(ctx, link.Token, "mat-khau-moi-2", "10.0.0.2"); quiz.ErrorCode(err) != quiz.CodeResetLinkUsed {
			t.Errorf("the link again: %v, want %s", err, quiz.CodeResetLinkUsed)
		}
		if must, _ := r.admin.MustChangePassword(ctx, r.id); must {
			t.Error("a contestant who chose their password through a link must change it again")
		}
	})

	t.Run("a link expires", func(t *testing.T) {
		r := newResetRig(t, open)
		link := r.issue(t, r.adminID, r.id)
		r.clk.t = r.clk.t.Add(quiz.StaffResetTTL)
		if _, err := r.admin.Reset(ctx, link.Token, "mat-khau-moi-1", "10.0.0.2"); quiz.ErrorCode(err) != quiz.CodeResetLinkExpired {
			t.Errorf("got %v, want %s", err, quiz.CodeResetLinkExpired)
		}
		if _, err := r.accounts.Login(ctx, "0912345678", "mat-khau-cu-1"); err != nil {
			t.Errorf("the expired link changed the password: %v", err)
		}
	})

	t.Run("an unknown or malformed token finds nothing", func(t *testing.T) {
		r := newResetRig(t, open)
		r.issue(t, r.organizerID, r.id)
		for _, token := range []string{strings.Repeat("A", 43), "", "abc", strings.Repeat("A", 42) + "!", "../../etc"} {
			if _, _, err := r.admin.CheckReset(ctx, token); quiz.ErrorCode(err) != quiz.CodeResetLinkUnknown {
				t.Errorf("%q: %v, want %s", token, err, quiz.CodeResetLinkUnknown)
			}
		}
	})

	t.Run("a password change, another link's use or a deletion voids a link", func(t *testing.T) {
		r := newResetRig(t, open)
		first, second := r.issue(t, r.organizerID, r.id), r.issue(t, r.organizerID, r.id)
		if _, err := r.admin.Reset(ctx, second.Token, "mat-khau-moi-1", "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.admin.CheckReset(ctx, first.Token); quiz.ErrorCode(err) != quiz.CodeResetLinkUsed {
			t.Errorf("the first link after the second was used: %v, want %s", err, quiz.CodeResetLinkUsed)
		}
		third := r.issue(t, r.organizerID, r.id)
		if _, err := r.accounts.ChangePassword(ctx, r.id, "mat-khau-moi-1", "mat-khau-moi-2"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.admin.CheckReset(ctx, third.Token); quiz.ErrorCode(err) != quiz.CodeResetLinkUsed {
			t.Errorf("a link after a password change: %v, want %s", err, quiz.CodeResetLinkUsed)
		}
		fourth := r.issue(t, r.organizerID, r.id)
		p := quiz.NewPrivacy(r.s, r.clk.now)
		if _, err := p.DeleteAccount(ctx, r.id, quiz.ClientInfo{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := r.admin.CheckReset(ctx, fourth.Token); quiz.ErrorCode(err) != quiz.CodeResetLinkUnknown {
			t.Errorf("a link of a deleted account: %v, want %s", err, quiz.CodeResetLinkUnknown)
		}
	})

	t.Run("the new password follows registration's rules and a refused one uses nothing up", func(t *testing.T) {
		r := newResetRig(t, open)
		link := r.issue(t, r.organizerID, r.id)
		for _, pw := range []string{"", "ngan", strings.Repeat("x", 73)} {
			_, err := r.admin.Reset(ctx, link.Token, pw, "10.0.0.2")
			var qe *quiz.Error
			if quiz.ErrorCode(err) != quiz.CodeValidation || !errors.As(err, &qe) || qe.Fields["new_password"] == "" {
				t.Errorf("%q: %v, want a field error on new_password", pw, err)
			}
		}
		if _, err := r.admin.Reset(ctx, link.Token, "mat-khau-moi-1", "10.0.0.2"); err != nil {
			t.Errorf("the link after refused passwords: %v", err)
		}
	})

	t.Run("only one of two requests racing on a link sets the password", func(t *testing.T) {
		r := newResetRig(t, open)
		link := r.issue(t, r.organizerID, r.id)
		errs := atOnce(8, func(i int) error {
			_, err := r.admin.Reset(ctx, link.Token, "mat-khau-moi-"+string(rune('a'+i)), "10.0.0.2")
			return err
		})
		resultsOneWins(t, errs, quiz.CodeResetLinkUsed)
	})
}

func testWhoMayIssueResetLinks(t *testing.T, open func(t *testing.T) Full) {
	r := newResetRig(t, open)
	ctx := context.Background()
	other, err := r.accounts.CreateStaff(ctx, quiz.StaffAccount{Email: "quan-tri-2@so.gov.vn", Password: "mat-khau-123",
		Role: quiz.RoleAdmin, FullName: "Trần Văn Bình"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name       string
		by, target int64
		want       string
	}{
		{"an organizer for a contestant", r.organizerID, r.id, ""},
		{"an admin for a contestant", r.adminID, r.id, ""},
		{"an admin for an organizer", r.adminID, r.organizerID, ""},
		{"an admin for another admin", r.adminID, other.ID, ""},
		{"not an organizer for an official", r.organizerID, r.officialID, quiz.CodeForbidden},
		{"not an organizer for an admin", r.organizerID, r.adminID, quiz.CodeForbidden},
		{"not an official for a contestant", r.officialID, r.id, quiz.CodeForbidden},
		{"not a contestant for themself", r.id, r.id, quiz.CodeForbidden},
		{"not an admin for themself", r.adminID, r.adminID, quiz.CodeForbidden},
		{"nobody for an account that does not exist", r.adminID, 12345, quiz.CodeNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.admin.IssueReset(ctx, quiz.Actor{ID: tt.by, Name: "x"}, tt.target)
			if got := quiz.ErrorCode(err); got != tt.want {
				t.Errorf("got %q (%v), want %q", got, err, tt.want)
			}
		})
	}
	t.Run("a staff account reset through an admin's link changes its password again at sign-in", func(t *testing.T) {
		link := r.issue(t, r.adminID, r.organizerID)
		if _, err := r.admin.Reset(ctx, link.Token, "mat-khau-moi-1", "10.0.0.2"); err != nil {
			t.Fatal(err)
		}
		if must, err := r.admin.MustChangePassword(ctx, r.organizerID); err != nil || !must {
			t.Errorf("must change %v (%v), want true", must, err)
		}
	})
	t.Run("not for a disabled account", func(t *testing.T) {
		if _, err := r.accounts.SetDisabled(ctx, r.officialID, true, quiz.Actor{ID: r.adminID}); err != nil {
			t.Fatal(err)
		}
		_, err := r.admin.IssueReset(ctx, quiz.Actor{ID: r.adminID}, r.officialID)
		if quiz.ErrorCode(err) != quiz.CodeAccountDisabled {
			t.Errorf("got %v, want %s", err, quiz.CodeAccountDisabled)
		}
	})
}

func testResetLinksByEmail(t *testing.T, open func(t *testing.T) Full) {
	ctx := context.Background()
	r := newResetRig(t, open)
	for _, email := range []string{"HOA@gmail.example", "ai-do@gmail.example", "to-chuc@so.gov.vn"} {
		err := r.admin.RequestByEmail(email, "10.0.0.3", func(l quiz.ResetLink) quiz.Mail {
			return quiz.Mail{Subject: "Đặt lại mật khẩu", Text: "/reset/" + l.Token + " " + quiz.APITime(l.ExpiresAt)}
		})
		if err != nil {
			t.Fatalf("%s: %v", email, err)
		}
	}
	r.admin.Wait()
	sent := r.mail.all()
	if len(sent) != 1 || sent[0].To != "hoa@gmail.example" {
		t.Fatalf("sent %+v, want one mail, to the contestant only (not to an unknown address, nor to staff)", sent)
	}
	token := strings.Fields(strings.TrimPrefix(sent[0].Text, "/reset/"))[0]
	if want := quiz.APITime(r.clk.t.Add(quiz.EmailResetTTL)); !strings.Contains(sent[0].Text, want) {
		t.Errorf("mail %q, want the expiry %s", sent[0].Text, want)
	}
	if _, err := r.admin.Reset(ctx, token, "mat-khau-moi-1", "10.0.0.2"); err != nil {
		t.Errorf("the mailed link: %v", err)
	}
	t.Run("an address that is not one is refused before anything is looked up", func(t *testing.T) {
		for email, want := range map[string]string{"": quiz.MsgRequired, "  ": quiz.MsgRequired,
			"not an address": quiz.MsgEmailInvalid, "a@b@c": quiz.MsgEmailInvalid} {
			var qe *quiz.Error
			if err := r.admin.RequestByEmail(email, "10.0.0.3", nil); !errors.As(err, &qe) || qe.Fields["email"] != want {
				t.Errorf("%q: %v, want %s on email", email, err, want)
			}
		}
	})
	t.Run("an installation without mail says so", func(t *testing.T) {
		off := quiz.NewAccountAdmin(r.s, r.accounts, nil, nil, r.clk.now)
		if err := off.RequestByEmail("hoa@gmail.example", "10.0.0.3", nil); quiz.ErrorCode(err) != quiz.CodeResetByEmailOff {
			t.Errorf("got %v, want %s", err, quiz.CodeResetByEmailOff)
		}
	})
}

func testStaffNamesAndFirstPasswords(t *testing.T, open func(t *testing.T) Full) {
	ctx := context.Background()
	r := newResetRig(t, open)
	by := quiz.Actor{ID: r.adminID, Name: "Lê Văn Tâm", IP: "10.0.0.1"}

	t.Run("a new staff account is told every mistake at once, its name included", func(t *testing.T) {
		_, err := r.admin.AddStaff(ctx, quiz.StaffAccount{Email: "sai", Password: "ngan", Role: "contestant", FullName: "<b>"}, true)
		var qe *quiz.Error
		if !errors.As(err, &qe) {
			t.Fatalf("got %v, want field errors", err)
		}
		for _, f := range []string{"full_name", "email", "password", "role"} {
			if qe.Fields[f] == "" {
				t.Errorf("no error on %s: %v", f, qe.Fields)
			}
		}
	})
	t.Run("a staff account made with a chosen password must change it", func(t *testing.T) {
		u, err := r.admin.AddStaff(ctx, quiz.StaffAccount{Email: "moi@so.gov.vn", Password: "mat-khau-123", Role: quiz.RoleOfficial,
			FullName: "  Phạm   Thị Lan "}, true)
		if err != nil {
			t.Fatal(err)
		}
		if u.FullName != "Phạm Thị Lan" {
			t.Errorf("name %q, want it cleaned", u.FullName)
		}
		if must, err := r.admin.MustChangePassword(ctx, u.ID); err != nil || !must {
			t.Errorf("must change %v (%v), want true", must, err)
		}
		if err := r.admin.PasswordChanged(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		if must, _ := r.admin.MustChangePassword(ctx, u.ID); must {
			t.Error("still must change after the change")
		}
	})
	t.Run("an admin names a staff account, and the audit log says so", func(t *testing.T) {
		u, err := r.admin.SetStaffName(ctx, by, r.organizerID, "Đỗ Minh Châu")
		if err != nil || u.FullName != "Đỗ Minh Châu" {
			t.Fatalf("got %+v %v", u, err)
		}
		named := r.audited(t, func(e quiz.AuditEntry) bool {
			return e.Action == quiz.AuditSetName && strings.Contains(e.Detail, "Đỗ Minh Châu")
		})
		if len(named) != 1 {
			t.Errorf("%d audit entries, want 1", len(named))
		}
	})
	t.Run("a name that is not one is refused and changes nothing", func(t *testing.T) {
		for _, name := range []string{"", "   ", "<script>", strings.Repeat("A", 101)} {
			if _, err := r.admin.SetStaffName(ctx, by, r.organizerID, name); quiz.ErrorCode(err) != quiz.CodeValidation {
				t.Errorf("%q: %v, want %s", name, err, quiz.CodeValidation)
			}
		}
		if u, _ := r.accounts.User(ctx, r.organizerID); u.FullName != "Đỗ Minh Châu" {
			t.Errorf("name %q after refusals", u.FullName)
		}
	})
	t.Run("a contestant's name is not a staff name to set", func(t *testing.T) {
		if _, err := r.admin.SetStaffName(ctx, by, r.id, "Tên Khác"); quiz.ErrorCode(err) != quiz.CodeNotFound {
			t.Errorf("got %v, want %s", err, quiz.CodeNotFound)
		}
	})
	t.Run("staff find an account by its exact phone or e-mail only, and the find is audited", func(t *testing.T) {
		for _, login := range []string{"0912 345 678", "+84912345678", "Hoa@Gmail.example"} {
			u, err := r.admin.FindAccount(ctx, by, login)
			if err != nil || u.ID != r.id {
				t.Errorf("%q: %+v %v", login, u, err)
			}
		}
		for _, login := range []string{"091234567", "hoa", "gmail.example", "%"} {
			if _, err := r.admin.FindAccount(ctx, by, login); err == nil {
				t.Errorf("%q found an account", login)
			}
		}
		finds := r.audited(t, func(e quiz.AuditEntry) bool { return e.Action == quiz.AuditFindAccount })
		if len(finds) != 3 {
			t.Errorf("%d finds audited, want 3", len(finds))
		}
	})
}

// audited returns the audit log's entries that match keep, in the order
// written.
func (r *resetRig) audited(t *testing.T, keep func(quiz.AuditEntry) bool) []quiz.AuditEntry {
	t.Helper()
	log, err := r.s.AuditRows(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []quiz.AuditEntry
	for _, e := range log {
		if keep(e) {
			out = append(out, e)
		}
	}
	return out
}
