package quiz_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"

	"hoithi/quiz"
)

func TestTheLocalNotifierDeliversToEverySubscriberInOrder(t *testing.T) {
	n := quiz.NewLocalNotifier()
	var heard []string
	for _, name := range []string{"engine", "tokens", "feeds"} {
		n.Subscribe(func(ev quiz.Event) { heard = append(heard, name+":"+string(ev.Kind)) })
	}
	n.Notify(quiz.Event{Kind: quiz.RoundChanged, RoundID: 7})
	n.Notify(quiz.Event{Kind: quiz.AccountDeleted, UserID: 3})
	want := []string{"engine:round_changed", "tokens:round_changed", "feeds:round_changed",
		"engine:account_deleted", "tokens:account_deleted", "feeds:account_deleted"}
	if !slices.Equal(heard, want) {
		t.Errorf("heard %q, want %q: every subscriber, in the order they subscribed, before Notify returns", heard, want)
	}
}

func TestAnEventTravelsAsASmallJSONValue(t *testing.T) {
	end := quiz.SessionEnd{UserID: 5, Epoch: 3, ExpiresAt: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}
	for _, ev := range []quiz.Event{
		{Kind: quiz.RoundChanged, RoundID: 7},
		{Kind: quiz.BoardMoved, RoundID: 7, UserID: 5, AttemptID: 11},
		quiz.RevokedSessions(end),
		quiz.RevokedSessions(quiz.SessionEnd{UserID: 5, TokenID: "abc"}),
		{Kind: quiz.EventsMissed},
		{Kind: quiz.SocketClaimed, AttemptID: 176500000012345, ClaimAt: 1796600000123456789, ClaimTie: 18446744073709551615},
		{Kind: quiz.AttemptSubmitted, RoundID: 734512098765432, UserID: 765432109876543, AttemptID: 176500000012345,
			Outcome: &quiz.Outcome{AttemptID: 176500000012345, RoundID: 734512098765432, UserID: 765432109876543,
				Score: 200, Correct: 20, Total: 20, DurationMs: 599_999, Rank: 100_000, Auto: true}},
	} {
		data, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		var back quiz.Event
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, ev) || len(data) > 400 {
			t.Errorf("%s came back as %+v, want %+v (%d bytes)", data, back, ev, len(data))
		}
	}
	if got := quiz.RevokedSessions(end).SessionEnd(); got != end {
		t.Errorf("a revoked session's end is %+v, want %+v", got, end)
	}
}

// notifiedFixture is the engine fixture with services that announce on one
// notifier and an engine that follows it, as main wires them.
type notifiedFixture struct {
	*engineFixture
	notifier *quiz.LocalNotifier
	engine   *quiz.Engine
	accounts *quiz.Accounts
	privacy  *quiz.Privacy
	heard    []quiz.Event
}

func newNotifiedFixture(t *testing.T) *notifiedFixture {
	t.Helper()
	f := &notifiedFixture{engineFixture: newEngineFixture(t), notifier: quiz.NewLocalNotifier()}
	f.notifier.Subscribe(func(ev quiz.Event) { f.heard = append(f.heard, ev) })
	f.catalog.SetNotifier(f.notifier)
	f.accounts = quiz.NewAccounts(f.db, nil, nil, f.clock.Now)
	f.accounts.SetNotifier(f.notifier)
	f.privacy = quiz.NewPrivacy(f.db, f.clock.Now)
	f.privacy.SetNotifier(f.notifier)
	f.engine = quiz.NewEngine(quiz.EngineConfig{Store: f.db, Clock: f.clock, Grace: testGrace, Notifier: f.notifier})
	if err := f.engine.Start(f.ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.engine.Stop)
	return f
}

// submitted starts and submits an attempt of the fixture's contestant, who
// is then on the round's board.
func (f *notifiedFixture) submitted(t *testing.T, r quiz.Round) int64 {
	t.Helper()
	a, _, err := f.engine.StartAttempt(f.ctx, f.userID, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.engine.Submit(f.ctx, f.userID, a.ID, nil); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func (f *notifiedFixture) board(t *testing.T, roundID int64) *quiz.Board {
	t.Helper()
	b, err := f.engine.Board(f.ctx, roundID)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestARoundEditedThroughTheCatalogDropsItsBoard(t *testing.T) {
	f := newNotifiedFixture(t)
	edited := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	other := f.round(t, "Tuần 2", 24*time.Hour, time.Minute)
	before, otherBefore := f.board(t, edited.ID), f.board(t, other.ID)

	edited.ClosesAt = edited.ClosesAt.Add(time.Hour)
	if _, err := f.catalog.UpdateRound(f.ctx, edited.ID, edited); err != nil {
		t.Fatal(err)
	}
	if f.board(t, edited.ID) == before {
		t.Error("the edited round's board is still the one built before the edit")
	}
	if f.board(t, other.ID) != otherBefore {
		t.Error("another round's board was dropped")
	}
	if !slices.Contains(f.heard, quiz.Event{Kind: quiz.RoundChanged, RoundID: edited.ID}) {
		t.Errorf("heard %+v, want a round_changed for round %d", f.heard, edited.ID)
	}

	t.Run("a refused edit announces nothing", func(t *testing.T) {
		f.heard = nil
		bad := edited
		bad.ClosesAt = bad.OpensAt.Add(-time.Hour)
		if _, err := f.catalog.UpdateRound(f.ctx, edited.ID, bad); err == nil {
			t.Fatal("a round closing before it opens was accepted")
		}
		if len(f.heard) != 0 {
			t.Errorf("heard %+v after a refused edit", f.heard)
		}
	})
}

// TestAContestsChangesAndLocksAnnounceItsRounds: a round as read carries
// its contest's title and publication and its lock, which other nodes
// keep read for a while; each change that alters them announces the
// rounds it touches, and nothing else.
func TestAContestsChangesAndLocksAnnounceItsRounds(t *testing.T) {
	f := newNotifiedFixture(t)
	first := f.round(t, "Tuần 1", time.Hour, time.Minute)
	second := f.round(t, "Tuần 2", 24*time.Hour, time.Minute)
	results := quiz.NewResults(f.db, f.clock.Now)
	results.SetNotifier(f.notifier)
	both := []quiz.Event{{Kind: quiz.RoundChanged, RoundID: first.ID}, {Kind: quiz.RoundChanged, RoundID: second.ID}}
	title := "Hội thi đổi tên"
	for _, c := range []struct {
		name   string
		change func() error
		want   []quiz.Event
	}{
		{"hiding the contest", func() error { return f.catalog.UnpublishContest(f.ctx, f.contestID) }, both},
		{"publishing it again", func() error { return f.catalog.PublishContest(f.ctx, f.contestID) }, both},
		{"renaming the contest", func() error {
			_, err := f.catalog.UpdateContest(f.ctx, f.contestID, quiz.ContestPatch{Title: &title})
			return err
		}, both},
		{"locking a round's results", func() error {
			f.clock.Set(first.ClosesAt.Add(time.Minute))
			_, err := results.Lock(f.ctx, first.ID, quiz.User{ID: f.userID, FullName: "Cán bộ"}, "127.0.0.1")
			return err
		}, both[:1]},
		{"unlocking them", func() error {
			return results.Unlock(f.ctx, first.ID, quiz.User{ID: f.userID, FullName: "Cán bộ"}, "sai sót", "127.0.0.1")
		}, both[:1]},
		{"an unlock refused", func() error {
			if err := results.Unlock(f.ctx, first.ID, quiz.User{ID: f.userID}, "lần nữa", "127.0.0.1"); err == nil {
				t.Error("a round not locked was unlocked")
			}
			return nil
		}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			f.heard = nil
			if err := c.change(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(f.heard, c.want) {
				t.Errorf("heard %+v, want %+v", f.heard, c.want)
			}
		})
	}
}

func TestADeletedAccountLeavesBoardsAndSessionsAtOnce(t *testing.T) {
	f := newNotifiedFixture(t)
	r := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	empty := f.round(t, "Tuần 2", 24*time.Hour, time.Minute)
	f.submitted(t, r)
	before, emptyBefore := f.board(t, r.ID), f.board(t, empty.ID)
	u, err := f.accounts.User(f.ctx, f.userID)
	if err != nil {
		t.Fatal(err)
	}
	session := quiz.Session{ID: "phone", UserID: f.userID, Epoch: u.SessionEpoch, ExpiresAt: f.clock.Now().Add(time.Hour)}
	if over, err := f.accounts.SessionOver(f.ctx, session); err != nil || over {
		t.Fatalf("before the deletion the session is over: %v, %v", over, err)
	}

	if _, err := f.privacy.DeleteAccount(f.ctx, f.userID, quiz.ClientInfo{}); err != nil {
		t.Fatal(err)
	}
	after := f.board(t, r.ID)
	if after == before {
		t.Fatal("the board that shows the deleted account was kept")
	}
	if e, ok := after.RankOf(f.userID); !ok || e.Name != quiz.DeletedName {
		t.Errorf("the rebuilt board shows %q (on it: %v), want %q", e.Name, ok, quiz.DeletedName)
	}
	if f.board(t, empty.ID) != emptyBefore {
		t.Error("a board the account is not on was dropped")
	}
	// The clock has not moved: Accounts has not read the log of ended
	// sessions again, so only the announcement can have ended this one.
	if over, err := f.accounts.SessionOver(f.ctx, session); err != nil || !over {
		t.Errorf("after the deletion the session is over: %v, %v; want true at once", over, err)
	}
}

func TestAProfileCorrectionDropsBoardsOnlyForWhatTheyShow(t *testing.T) {
	f := newNotifiedFixture(t)
	r := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	f.submitted(t, r)
	rules, err := f.accounts.ProfileRules(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	before := f.board(t, r.ID)
	birth := "1990-05-06"
	if _, err := f.privacy.UpdateProfile(f.ctx, f.userID, quiz.ProfileEdit{BirthDate: &birth}, rules, quiz.ClientInfo{}); err != nil {
		t.Fatal(err)
	}
	if f.board(t, r.ID) != before {
		t.Error("a new birth date, which no board shows, dropped the board")
	}
	name := "Nguyễn Văn Bình"
	if _, err := f.privacy.UpdateProfile(f.ctx, f.userID, quiz.ProfileEdit{FullName: &name}, rules, quiz.ClientInfo{}); err != nil {
		t.Fatal(err)
	}
	after := f.board(t, r.ID)
	if after == before {
		t.Fatal("a new name kept the board that shows the old one")
	}
	if e, _ := after.RankOf(f.userID); e.Name != name {
		t.Errorf("the board shows %q, want %q", e.Name, name)
	}
}

func TestABoardMovedElsewhereIsBuiltAgainAndAnOwnMoveIsNot(t *testing.T) {
	f := newNotifiedFixture(t)
	r := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	attemptID := f.submitted(t, r)
	own := quiz.Event{Kind: quiz.BoardMoved, RoundID: r.ID, UserID: f.userID, AttemptID: attemptID}
	if !slices.Contains(f.heard, own) {
		t.Fatalf("heard %+v, want the submit's %+v", f.heard, own)
	}
	board := f.board(t, r.ID)

	t.Run("hearing the board's own move again keeps it", func(t *testing.T) {
		f.notifier.Notify(own)
		if f.board(t, r.ID) != board {
			t.Error("a board that holds the attempt was dropped")
		}
	})
	t.Run("a move the board does not hold (another node's) rebuilds it", func(t *testing.T) {
		f.notifier.Notify(quiz.Event{Kind: quiz.BoardMoved, RoundID: r.ID, UserID: f.userID + 1, AttemptID: attemptID + 1})
		if f.board(t, r.ID) == board {
			t.Error("a board missing a submission was kept")
		}
	})
}

func TestMissedEventsDropEveryBoard(t *testing.T) {
	f := newNotifiedFixture(t)
	first := f.round(t, "Tuần 1", 24*time.Hour, time.Minute)
	second := f.round(t, "Tuần 2", 24*time.Hour, time.Minute)
	boards := []*quiz.Board{f.board(t, first.ID), f.board(t, second.ID)}
	f.notifier.Notify(quiz.Event{Kind: quiz.EventsMissed})
	for i, r := range []quiz.Round{first, second} {
		if f.board(t, r.ID) == boards[i] {
			t.Errorf("round %s: the board was kept after events were missed", r.Name)
		}
	}
}
