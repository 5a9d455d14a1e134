package cluster

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"hoithi/quiz"
)

// errAway is why an event is dropped while the database is given time to
// come back.
var errAway = errors.New("the database could not be reached a moment ago")

// sender sends events with pg_notify on a connection of its own.
type sender struct {
	n    *Notifier
	conn *pgx.Conn // nil until needed, and after it failed
	wait backoff
	// away: no connect is tried before then, after one failed, so that a
	// dead database costs a dropped event, not a connect timeout each.
	away time.Time
}

// send sends the queued events until Close, then those still queued. While
// the other nodes are owed an events_missed it retries that alone, so that
// they hear of the drops as soon as the database is back, even if this node
// has nothing more to say.
func (n *Notifier) send() {
	defer n.wg.Done()
	s := &sender{n: n, wait: backoff{max: n.opts.MaxBackoff}}
	defer s.close()
	for {
		var retry <-chan time.Time
		if n.dropped.Load() > 0 {
			retry = time.After(time.Until(s.away))
		}
		select {
		case ev := <-n.queue:
			s.publish(context.Background(), ev)
		case <-retry:
			s.catchUp(context.Background())
		case <-n.closing:
			s.drain()
			return
		}
	}
}

// drain sends what is queued, for at most Options.Timeout in all.
func (s *sender) drain() {
	ctx, cancel := context.WithTimeout(context.Background(), s.n.opts.Timeout)
	defer cancel()
	for ctx.Err() == nil {
		select {
		case ev := <-s.n.queue:
			s.publish(ctx, ev)
		default:
			return
		}
	}
}

// publish sends ev to the other nodes, after the events_missed they are
// owed, if any; or drops it.
func (s *sender) publish(ctx context.Context, ev quiz.Event) {
	if !s.catchUp(ctx) {
		s.n.drop(ev, errAway)
		return
	}
	payload, err := encode(s.n.node, ev)
	if err == nil {
		err = s.notify(ctx, payload)
	}
	if err != nil {
		s.n.drop(ev, err)
	}
}

// catchUp tells the other nodes they missed events, when this node dropped
// some; it reports whether they are told (or owed nothing).
func (s *sender) catchUp(ctx context.Context) bool {
	dropped := s.n.dropped.Load()
	if dropped == 0 {
		return true
	}
	payload, err := encode(s.n.node, quiz.Event{Kind: quiz.EventsMissed})
	if err == nil {
		err = s.notify(ctx, payload)
	}
	if err != nil {
		return false
	}
	s.n.dropped.Add(-dropped)
	s.n.log.Info("cluster: sending events again; the other nodes were told they missed some", "dropped", dropped)
	return true
}

// notify sends one payload. A connection that fails is replaced once at
// once (the database may have restarted, or closed an idle connection);
// if that fails too, the database is left alone for a backoff.
func (s *sender) notify(ctx context.Context, payload string) error {
	if time.Now().Before(s.away) {
		return errAway
	}
	var err error
	for range 2 {
		if s.conn == nil {
			if s.conn, err = s.n.connect(ctx, "send"); err != nil {
				break
			}
		}
		sendCtx, cancel := context.WithTimeout(ctx, s.n.opts.Timeout)
		_, err = s.conn.Exec(sendCtx, "SELECT pg_notify($1, $2)", s.n.opts.Channel, payload)
		cancel()
		if err == nil {
			s.wait.reset()
			return nil
		}
		s.close()
	}
	s.away = time.Now().Add(s.wait.wait())
	return err
}

func (s *sender) close() {
	if s.conn != nil {
		closeConn(s.conn)
		s.conn = nil
	}
}
