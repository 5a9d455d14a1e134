package main

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A live game in real browsers: an organizer creates it and runs it from
// the projector view; two people join by PIN, one on a phone and one at a
// desktop's width, and play two questions to the podium.

// projector gives the tab the screen of an ordinary projector.
func (b tab) projector(t *testing.T) {
	t.Helper()
	b.do(t, "emulate a projector's screen", chromedp.EmulateViewport(1366, 768))
}

// press clicks what sel finds on the page, without leaving it.
func (b tab) press(t *testing.T, sel string) {
	t.Helper()
	b.do(t, "click "+sel, chromedp.Click(chromedp.CSS(sel)))
}

// visible waits until the element with id is shown.
func (b tab) visible(t *testing.T, id string) {
	t.Helper()
	b.waitTrue(t, "#"+id+" to show", fmt.Sprintf(`(() => { const e = document.getElementById(%s); return !!e && !e.hidden && e.getClientRects().length > 0; })()`, jsString(id)))
}

// axeHere checks the page as it shows now, at the phone's and the
// desktop's width: the live pages change in place, and every state a
// player or the room sees must pass.
func (b tab) axeHere(t *testing.T, state string) {
	t.Helper()
	if report := axeReport(b.location(t)+" ("+state+")", b.axeViolations(t)); report != "" {
		t.Error(report)
	}
}

// liveOptionIDs returns the option ids of the question a player's page
// shows, in its order.
func (b tab) liveOptionIDs(t *testing.T) []int64 {
	t.Helper()
	return eval[[]int64](t, b, `Array.from(document.querySelectorAll('#q-options button')).map(b => Number(b.dataset.optionId))`)
}

// answerLive clicks a right (or a wrong) option of the question shown.
func (b tab) answerLive(t *testing.T, key map[int64]bool, right bool) {
	t.Helper()
	for _, id := range b.liveOptionIDs(t) {
		if key[id] == right {
			b.press(t, fmt.Sprintf(`#q-options button[data-option-id="%d"]`, id))
			return
		}
	}
	t.Fatalf("the question shown has no %v option", right)
}

var pointsText = regexp.MustCompile(`^\+(\d{1,3}(?:\.\d{3})*) điểm$`)

func TestBrowserLiveGame(t *testing.T) {
	chromium := chromiumPath(t)
	s := startServer(t, nil)
	admin := s.admin()
	bank := s.bankQuestions(admin, s.demoBank(admin))
	key := map[int64]bool{}
	for _, q := range bank.Questions {
		for _, o := range q.Options {
			key[o.ID] = o.Correct
		}
	}

	host := startBrowser(t, chromium)
	host.holdToken(t, s, admin)
	host.projector(t)
	t.Run("the organizer creates a game of two chosen questions", func(t *testing.T) {
		host.open(t, s.URL+"/organize")
		host.click(t, "#organize-live")
		host.do(t, "fill in the game", chromedp.SendKeys(chromedp.ID("title"), "Hội nghị tập huấn một cửa"))
		eval[bool](t, host, `(() => {
			document.querySelector('.live-pick').open = true;
			const boxes = document.querySelectorAll('input[name="question_ids"]');
			boxes[0].checked = true; boxes[1].checked = true;
			return true;
		})()`)
		if status := host.click(t, "#create-game"); status != http.StatusOK {
			t.Fatalf("create: status %d", status)
		}
		if !strings.HasPrefix(host.location(t), "/organize/live/") {
			t.Fatalf("landed on %s, want the projector view", host.location(t))
		}
	})
	pin := host.text(t, "#pin")
	t.Run("the lobby shows the PIN, the join link and its QR code", func(t *testing.T) {
		if !regexp.MustCompile(`^\d{6}$`).MatchString(pin) {
			t.Fatalf("PIN %q", pin)
		}
		if link := host.text(t, ".live-join-url"); !strings.HasSuffix(link, "/live/join?pin="+pin) {
			t.Errorf("join link %q", link)
		}
		if !eval[bool](t, host, `!!document.querySelector('.live-qr svg[role="img"] path')`) {
			t.Error("no QR code")
		}
		host.visible(t, "view-lobby")
		host.visible(t, "c-start")
		t.Run("and fits a phone's screen too", func(t *testing.T) {
			host.phone(t)
			host.fitsPhone(t)
			host.projector(t)
		})
	})

	players := startBrowser(t, chromium) // another browser: no organizer's session
	lan := players
	t.Run("a player on a phone joins from the QR code's link, the PIN filled in", func(t *testing.T) {
		lan.open(t, s.URL+"/live/join?pin="+pin)
		if got := eval[string](t, lan, `document.getElementById('pin').value`); got != pin {
			t.Errorf("PIN field %q, want %q", got, pin)
		}
		lan.do(t, "type a nickname", chromedp.SendKeys(chromedp.ID("nickname"), "Lan <b>xã</b>"))
		if status := lan.click(t, "#join"); status != http.StatusOK {
			t.Fatalf("join: status %d", status)
		}
		lan.visible(t, "view-lobby")
		lan.waitText(t, "#me-name", "Lan <b>xã</b>")
		lan.fitsPhone(t)
	})
	minh, closeMinh := players.newTab(t)
	defer closeMinh()
	minh.desktop(t)
	t.Run("a second player types the PIN at a desktop's width", func(t *testing.T) {
		minh.open(t, s.URL+"/live/join")
		t.Run("a wrong PIN is refused in words", func(t *testing.T) {
			minh.do(t, "type a wrong PIN", chromedp.SendKeys(chromedp.ID("pin"), "12"), chromedp.SendKeys(chromedp.ID("nickname"), "Minh"))
			if status := minh.click(t, "#join"); status != http.StatusUnprocessableEntity {
				t.Errorf("status %d, want 422", status)
			}
			minh.waitText(t, "#pin-error", "Mã PIN gồm đúng 6 chữ số.")
		})
		minh.do(t, "type the PIN", chromedp.SetValue(chromedp.ID("pin"), pin))
		if status := minh.click(t, "#join"); status != http.StatusOK {
			t.Fatalf("join: status %d", status)
		}
		minh.visible(t, "view-lobby")
	})
	t.Run("the projector shows the nicknames as they arrive, as text", func(t *testing.T) {
		host.front(t)
		host.waitText(t, "#lobby-count", "2 người đã vào")
		host.waitTrue(t, "two nicknames", `document.querySelectorAll('#lobby-players .live-nick').length === 2`)
		names := eval[[]string](t, host, `Array.from(document.querySelectorAll('#lobby-players .live-nick')).map(e => e.textContent)`)
		if strings.Join(names, "|") != "Minh|Lan <b>xã</b>" {
			t.Errorf("lobby names %q", names)
		}
		if eval[bool](t, host, `!!document.querySelector('#lobby-players b')`) {
			t.Error("a nickname was read as markup")
		}
	})

	t.Run("a nickname taken is asked again on the game's page, and the host can remove a player", func(t *testing.T) {
		guest, closeGuest := players.newTab(t)
		defer closeGuest()
		guest.open(t, s.URL+"/live/join?pin="+pin)
		guest.do(t, "type a taken nickname", chromedp.SendKeys(chromedp.ID("nickname"), "MINH"))
		guest.click(t, "#join")
		guest.visible(t, "view-join")
		guest.waitText(t, "#join-error", "Biệt danh này đã có người dùng trong trò chơi. Hãy chọn biệt danh khác.")
		guest.axeHere(t, "a nickname taken")
		guest.do(t, "type another nickname", chromedp.SetValue(chromedp.ID("join-nickname"), "Khách"))
		guest.press(t, "#join-submit")
		guest.visible(t, "view-lobby")

		host.front(t)
		confirmed := host.acceptDialogs()
		host.waitTrue(t, "three nicknames", `document.querySelectorAll('#lobby-players .live-nick').length === 3`)
		host.press(t, `#lobby-players button[aria-label="Mời Khách rời trò chơi"]`)
		if m := <-confirmed; !strings.Contains(m, "Khách") {
			t.Errorf("the confirmation asked %q", m)
		}
		host.waitText(t, "#lobby-count", "2 người đã vào")
		guest.front(t)
		guest.visible(t, "view-kicked")
		t.Run("after a reload the removed player's place is gone and the page asks for a nickname", func(t *testing.T) {
			guest.do(t, "reload the page", chromedp.Reload())
			guest.visible(t, "view-join")
		})
	})

	var total int
	t.Run("question 1: the phones show big answer buttons with shapes and letters", func(t *testing.T) {
		host.press(t, "#c-start")
		host.visible(t, "view-question")
		for _, p := range []tab{lan, minh} {
			p.front(t)
			p.visible(t, "view-question")
		}
		marks := eval[[]string](t, lan, `Array.from(document.querySelectorAll('#q-options .live-letter')).map(e => e.textContent)`)
		if strings.Join(marks, "") != "ABCD"[:len(marks)] || len(marks) < 2 {
			t.Errorf("letters %v", marks)
		}
		if n := eval[int](t, lan, `document.querySelectorAll('#q-options svg.live-shape path').length`); n != len(marks) {
			t.Errorf("%d shapes for %d options", n, len(marks))
		}
		lan.fitsPhone(t)
		lan.axeHere(t, "a question")
		host.axeHere(t, "a question")
	})
	t.Run("answers are acknowledged, and the reveal comes once both have answered", func(t *testing.T) {
		lan.front(t)
		lan.answerLive(t, key, true)
		lan.visible(t, "view-wait")
		minh.front(t)
		minh.answerLive(t, key, false)
		minh.visible(t, "view-result")
		minh.waitText(t, "#r-verdict", "Chưa đúng")
		lan.front(t)
		lan.visible(t, "view-result")
		lan.waitText(t, "#r-verdict", "Chính xác!")
		lan.waitText(t, "#r-rank", "Hạng 1 trên 2 người chơi")
		m := pointsText.FindStringSubmatch(lan.text(t, "#r-points"))
		if m == nil {
			t.Fatalf("points %q", lan.text(t, "#r-points"))
		}
		fmt.Sscan(strings.ReplaceAll(m[1], ".", ""), &total)
		if total < 500 || total > 1000 {
			t.Errorf("%d points for a right answer, want 500 to 1000", total)
		}
		lan.waitText(t, "#r-correct", "1 trên 1 câu")
		lan.fitsPhone(t)
		lan.axeHere(t, "a right answer's result")
	})
	t.Run("the projector shows the right option and a chart of the choices", func(t *testing.T) {
		host.front(t)
		host.visible(t, "view-reveal")
		host.waitText(t, "#hr-summary", "1/2 người trả lời đúng")
		if n := eval[int](t, host, `document.querySelectorAll('#hr-bars .live-bar-row.is-right').length`); n != 1 {
			t.Errorf("%d right options marked, want 1", n)
		}
		counts := eval[[]string](t, host, `Array.from(document.querySelectorAll('#hr-bars .live-bar-count')).map(e => e.textContent)`)
		if strings.Count(strings.Join(counts, "|"), "1 người chọn") != 2 {
			t.Errorf("bar labels %v, want two options chosen once", counts)
		}
		host.axeHere(t, "the reveal")
		host.phone(t)
		host.fitsPhone(t)
		host.projector(t)
	})
	t.Run("the leaderboard, and a reload keeps the player's points", func(t *testing.T) {
		host.press(t, "#c-next")
		host.visible(t, "view-board")
		host.axeHere(t, "the leaderboard")
		lan.front(t)
		lan.visible(t, "view-board")
		if mine := lan.text(t, "#board-list li.is-me .live-nick"); mine != "Lan <b>xã</b>" {
			t.Errorf("own line %q", mine)
		}
		lan.do(t, "reload the page", chromedp.Reload())
		lan.visible(t, "view-board")
		lan.waitText(t, "#me-points", fmt.Sprintf("%d điểm", total))
	})
	t.Run("question 2 and the podium", func(t *testing.T) {
		host.front(t)
		host.press(t, "#c-next")
		lan.front(t)
		lan.visible(t, "view-question")
		lan.answerLive(t, key, true)
		minh.front(t)
		minh.visible(t, "view-question")
		minh.answerLive(t, key, true)
		minh.visible(t, "view-result")
		minh.waitText(t, "#r-verdict", "Chính xác!")
		host.front(t)
		host.visible(t, "view-reveal")
		host.press(t, "#c-next")
		host.visible(t, "view-board")
		host.waitText(t, "#c-next", "Xem kết quả chung cuộc")
		host.press(t, "#c-next")
		host.visible(t, "view-ended")
		names := eval[[]string](t, host, `Array.from(document.querySelectorAll('#podium .live-step-name')).map(e => e.textContent)`)
		if strings.Join(names, "|") != "Lan <b>xã</b>|Minh" {
			t.Errorf("podium %q", names)
		}
		host.axeHere(t, "the podium")
		for _, p := range []struct {
			tab  tab
			rank string
		}{{lan, "Hạng 1 trên 2 người chơi"}, {minh, "Hạng 2 trên 2 người chơi"}} {
			p.tab.front(t)
			p.tab.visible(t, "view-final")
			p.tab.waitText(t, "#f-rank", p.rank)
		}
		lan.waitText(t, "#f-correct", "2 trên 2 câu")
		lan.fitsPhone(t)
		lan.axeHere(t, "the end")
	})
	t.Run("the standings shown are those stored", func(t *testing.T) {
		gameID := strings.TrimPrefix(host.location(t), "/organize/live/")
		var res liveResults
		s.mustCall(200, "GET", "/api/v1/live/"+gameID+"/results", admin, nil, &res)
		if len(res.Players) != 2 || res.Players[0].Nickname != "Lan <b>xã</b>" || res.Players[0].Correct != 2 {
			t.Fatalf("results %+v", res.Players)
		}
		lan.waitText(t, "#f-points", strings.ReplaceAll(fmt.Sprintf("%s điểm", groupThousands(res.Players[0].Points)), ",", "."))
		t.Run("and the projector view of the ended game shows its podium from the store", func(t *testing.T) {
			host.open(t, s.URL+host.location(t))
			host.visible(t, "view-ended")
			if first := host.text(t, "#podium .live-step-1 .live-step-name"); first != "Lan <b>xã</b>" {
				t.Errorf("first place %q", first)
			}
		})
	})
}

// groupThousands writes n with a comma between groups of three digits.
func groupThousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
