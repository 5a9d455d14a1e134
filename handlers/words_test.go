package handlers

import (
	"strings"
	"testing"

	"hoithi/quiz"
)

// Numbers, durations and the audit log as people read them, in each
// language.

func TestNumbersAreWrittenAsEachLanguageDoes(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	vi, en := lang{langVI, cat}, lang{langEN, cat}
	for _, c := range []struct {
		got, want string
	}{
		{vi.Int(1234), "1.234"},
		{vi.Int(-1234567), "-1.234.567"},
		{vi.Int(999), "999"},
		{en.Int(1234), "1,234"},
		{vi.Decimal(1234.56, 1), "1.234,6"},
		{en.Decimal(1234.56, 1), "1,234.6"},
		{vi.Decimal(0.04, 1), "0,0"},
		{vi.Decimal(-0.04, 1), "0,0"},
		{vi.Decimal(66.666, 0), "67"},
		{vi.Seconds(83400), "83,4 giây"},
		{vi.Seconds(83000), "83,0 giây"},
		{vi.Seconds(252345), "252,345 giây"},
		{vi.Seconds(1234500), "1.234,5 giây"},
		{en.Seconds(83400), "83.4 s"},
		{en.Seconds(1234500), "1,234.5 s"},
		{formatPercent(vi, 0.456), "45,6 %"},
		{formatPercent(en, 0.456), "45.6%"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestTheAuditLogReadsAsSentences(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	vi, en := lang{langVI, cat}, lang{langEN, cat}
	person := func(id int64) string { return "Nguyễn Văn An" }
	for _, c := range []struct {
		l      lang
		action string
		detail string
		want   string
	}{
		{vi, quiz.AuditLock, "contestants=1234 prizes=3 actual=5", "Chốt kết quả {round}: 1.234 người dự thi, 3 giải, đáp án câu hỏi dự đoán: 5"},
		{vi, quiz.AuditLock, "", "Chốt kết quả {round}"},
		{en, quiz.AuditLock, "contestants=5 prizes=3", "Locked the results of {round}: 5 contestants, 3 prizes"},
		{vi, quiz.AuditUnlock, "Sai đáp án câu 3", "Mở chốt kết quả {round}, lý do: Sai đáp án câu 3"},
		{vi, quiz.AuditViewWinners, "page", "Xem danh sách kết quả {round}"},
		{vi, quiz.AuditViewWinners, "json", "Tải danh sách kết quả {round} dạng dữ liệu cho phần mềm (JSON)"},
		{vi, quiz.AuditExportWinners, "xlsx", "Tải danh sách kết quả {round} (Excel)"},
		{vi, quiz.AuditExportWinners, "csv", "Tải danh sách kết quả {round} (CSV)"},
		{vi, quiz.AuditExportWinners, "print full", "In danh sách người đạt giải {round}, kèm số CCCD và điện thoại"},
		{vi, quiz.AuditExportWinners, "xlsx /srv/ket-qua.xlsx", "Ghi danh sách kết quả {round} ra tệp /srv/ket-qua.xlsx trên máy chủ"},
		{vi, quiz.AuditCertificates, "winners", "In giấy chứng nhận cho người đạt giải {round}"},
		{vi, quiz.AuditCertificates, "user 12", "In giấy chứng nhận của Nguyễn Văn An ở {round}"},
		{vi, quiz.AuditStatistics, "csv:units", "Tải bảng thống kê “Theo đơn vị” {round} (CSV)"},
		{vi, quiz.AuditOwnData, "consents=1 attempts=2 results=1", "Tải bản sao dữ liệu cá nhân của mình"},
		{vi, quiz.AuditDeleteAccount, "rounds=1 results=1", "Xoá tài khoản và dữ liệu cá nhân của mình"},
		{vi, quiz.AuditPurge, "days=365 cutoff=2025-12-01T00:00:00Z contests=2 rounds=4 results=80 accounts=40",
			"Xoá dữ liệu cá nhân của các cuộc thi đã kết thúc trước ngày 01/12/2025: 2 cuộc thi, 40 tài khoản"},
		{vi, quiz.AuditDisableAccount, "account=12 Nguyễn Văn An (an@so.gov.vn)", "Khoá tài khoản Nguyễn Văn An"},
		{vi, quiz.AuditSetPassword, "account=12345", "Đặt mật khẩu mới cho tài khoản Nguyễn Văn An"},
		{vi, quiz.AuditEmailConflict, "accounts 3 and 7 had one e-mail address in different spellings; 3 keeps it, the others keep theirs as stored",
			"Khi nâng cấp, tài khoản số 3 và số 7 có cùng một địa chỉ e-mail viết khác nhau; tài khoản số 3 giữ địa chỉ đó"},
		{vi, "password_reset_link", "user=12 ttl=3600", "Một thao tác khác"},
		{vi, quiz.AuditEnableAccount, "", "Mở khoá tài khoản (không rõ)"},
	} {
		got := auditSentence(c.l, quiz.AuditEntry{Action: c.action, Detail: c.detail}, person)
		if got != c.want {
			t.Errorf("%s %q:\n got %q\nwant %q", c.action, c.detail, got, c.want)
		}
	}
	// An action the sentences do not know but the catalog labels reads as
	// its label: the code never shows.
	cat.text[langVI]["audit.action.reset_link"] = "Cấp đường dẫn đặt lại mật khẩu"
	if got := auditSentence(vi, quiz.AuditEntry{Action: "reset_link", Detail: "x=1"}, person); got != "Cấp đường dẫn đặt lại mật khẩu" {
		t.Errorf("a labelled action reads %q", got)
	}
}

func TestWhoActedIsNamedInWords(t *testing.T) {
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	vi := lang{langVI, cat}
	for stored, want := range map[string]string{
		"f@x.vn <f@x.vn>":              "f@x.vn",
		"Lê Thị Hoa <hoa@so.gov.vn>":   "Lê Thị Hoa (hoa@so.gov.vn)",
		"hoithi export (command line)": "Lệnh xuất danh sách trên máy chủ",
		"hoithi purge (command line)":  "Lệnh xoá dữ liệu cũ trên máy chủ",
		"hoithi (upgrade)":             "Nâng cấp phần mềm",
		quiz.DeletedActor(12):          "Người dùng đã xoá tài khoản",
		"":                             "Hệ thống",
	} {
		got := actorWords(vi, stored)
		if got != want {
			t.Errorf("actor %q reads %q, want %q", stored, got, want)
		}
		if strings.ContainsAny(got, "<>") || strings.Contains(got, "command line") || strings.Contains(got, "deleted-") {
			t.Errorf("actor %q reads %q: technical text", stored, got)
		}
	}
}
