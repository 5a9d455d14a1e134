package quiz

import (
	"sync"
	"time"
)

// Event is a change made by one of the domain's services that state kept
// elsewhere must follow: a round's board in memory, the sessions a token
// cache trusts, the boards pushed to sockets. The service that makes the
// change announces it (Notifier), once the change is stored; nobody else
// has to remember to.
//
// An event holds ids and a few small values, so that a cluster of nodes can
// carry it between processes as it is (it encodes as a small JSON object).
// Receivers are idempotent: an event heard twice, or about a change a
// receiver has already taken in, changes nothing more.
type Event struct {
	Kind      EventKind `json:"kind"`
	RoundID   int64     `json:"round_id,omitempty"`
	UserID    int64     `json:"user_id,omitempty"`
	AttemptID int64     `json:"attempt_id,omitempty"`
	// TokenID, Epoch and ExpiresAt say which sessions a SessionRevoked
	// ends, as SessionEnd does.
	TokenID   string    `json:"token_id,omitempty"`
	Epoch     int64     `json:"epoch,omitempty"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// ClaimAt and ClaimTie say when a SocketClaimed's socket took its
	// attempt (unix nanoseconds) and break a tie between two such.
	ClaimAt  int64  `json:"claim_at,omitempty"`
	ClaimTie uint64 `json:"claim_tie,omitempty"`
	// Outcome is an AttemptSubmitted's result, as its contestant is told.
	Outcome *Outcome `json:"outcome,omitempty"`
}

// EventKind names what changed.
type EventKind string

const (
	// RoundChanged (RoundID): a round changed as its readers see it: an
	// organizer edited it (its times, prizes or prediction may rank it
	// differently), its contest was published, hidden or edited, or its
	// results were locked or unlocked. The Catalog and Results announce
	// it; what keeps rounds read from the database drops the round.
	RoundChanged EventKind = "round_changed"
	// AccountChanged (UserID): what leaderboards show of an account, its
	// name or its unit, changed. Privacy.UpdateProfile announces it.
	AccountChanged EventKind = "account_changed"
	// AccountDeleted (UserID): an account's personal data was removed at
	// its owner's request (a deletion or a withdrawal of consent). Its
	// sessions end by a SessionRevoked of their own. Privacy announces it.
	AccountDeleted EventKind = "account_deleted"
	// SessionRevoked (UserID with TokenID, or with Epoch): sessions ended
	// before their tokens expire: a logout, a new password, a disabled or
	// deleted account. Accounts, AccountAdmin and Privacy announce it.
	SessionRevoked EventKind = "session_revoked"
	// BoardMoved (RoundID, UserID, AttemptID): a submitted attempt reached
	// its round's board. The Engine announces it. One without an attempt
	// (a cluster's, standing for several) means the board moved.
	BoardMoved EventKind = "board_moved"
	// SocketClaimed (AttemptID, ClaimAt, ClaimTie): a contestant opened a
	// socket on an attempt. An older socket of the attempt, on whichever
	// node it is, closes (4001), so that one socket answers for an attempt
	// across a cluster as on one node. The attempt's socket handler
	// announces it.
	SocketClaimed EventKind = "socket_claimed"
	// AttemptSubmitted (RoundID, UserID, AttemptID, Outcome): the server
	// submitted an attempt at the end of its grace. The attempt's socket,
	// on whichever node it is, is told the result, once. The Engine
	// announces it.
	AttemptSubmitted EventKind = "attempt_submitted"
	// EventsMissed (no ids): some of the other nodes' events may have been
	// lost on their way here (a cluster's connection was down for a
	// while). Whatever follows events forgets what it keeps of changes
	// made elsewhere (every board) and reads the store again. A cluster
	// notifier announces it; a single node never does.
	EventsMissed EventKind = "events_missed"
)

// RevokedSessions is the event that ends the sessions end names.
func RevokedSessions(end SessionEnd) Event {
	return Event{Kind: SessionRevoked, UserID: end.UserID, TokenID: end.TokenID, Epoch: end.Epoch, ExpiresAt: end.ExpiresAt}
}

// SessionEnd is the end of sessions a SessionRevoked names.
func (ev Event) SessionEnd() SessionEnd {
	return SessionEnd{UserID: ev.UserID, TokenID: ev.TokenID, Epoch: ev.Epoch, ExpiresAt: ev.ExpiresAt}
}

// Notifier carries events from the services that make changes to whatever
// follows them. A single node fans them out in memory (LocalNotifier); a
// cluster implements the same interface across its nodes, each event
// reaching every node's subscribers.
type Notifier interface {
	// Notify delivers ev to this process's subscribers before it returns,
	// in the order they subscribed, so that the change counts in this
	// process at once; a cluster delivers it to the other nodes after.
	Notify(ev Event)
	// Subscribe has fn called with every event: this process's and, in a
	// cluster, the other nodes'. fn runs in the goroutine that notifies,
	// which may be serving a request: it must be quick, and must wait for
	// no database or network.
	Subscribe(fn func(Event))
}

// LocalNotifier is the Notifier of a single node: events go to this
// process's subscribers only.
type LocalNotifier struct {
	mu   sync.RWMutex
	subs []func(Event)
}

// NewLocalNotifier returns a notifier with no subscribers yet.
func NewLocalNotifier() *LocalNotifier { return &LocalNotifier{} }

// Notify calls every subscriber with ev, in the order they subscribed.
func (n *LocalNotifier) Notify(ev Event) {
	n.mu.RLock()
	subs := n.subs
	n.mu.RUnlock()
	for _, fn := range subs {
		fn(ev)
	}
}

// Subscribe adds fn to the subscribers.
func (n *LocalNotifier) Subscribe(fn func(Event)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.subs = append(n.subs, fn)
}

// notify announces ev on n, which is nil for a service nobody follows (a
// command-line tool, some tests).
func notify(n Notifier, ev Event) {
	if n != nil {
		n.Notify(ev)
	}
}
