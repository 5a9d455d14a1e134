package cluster

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"hoithi/quiz"
)

// listenConn connects and LISTENs on the channel.
func (n *Notifier) listenConn(ctx context.Context) (*pgx.Conn, error) {
	conn, err := n.connect(ctx, "listen")
	if err != nil {
		return nil, err
	}
	listenCtx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	if _, err := conn.Exec(listenCtx, "LISTEN "+pgx.Identifier{n.opts.Channel}.Sanitize()); err != nil {
		closeConn(conn)
		return nil, err
	}
	return conn, nil
}

// listen hears the other nodes' events on conn until ctx ends, listening
// again on a new connection whenever one is lost. What was sent in
// between is lost to this node, so once it listens again it delivers
// EventsMissed to its subscribers: they forget what they keep of other
// nodes' changes and read the database again.
func (n *Notifier) listen(ctx context.Context, conn *pgx.Conn) {
	defer n.wg.Done()
	wait := backoff{max: n.opts.MaxBackoff}
	for {
		err := n.hearAll(ctx, conn)
		closeConn(conn)
		if ctx.Err() != nil {
			return
		}
		n.log.Warn("cluster: lost the connection that hears other nodes; reconnecting", "err", err)
		for conn = nil; conn == nil; {
			select {
			case <-time.After(wait.wait()):
			case <-ctx.Done():
				return
			}
			if conn, err = n.listenConn(ctx); err != nil {
				n.log.Warn("cluster: cannot listen for other nodes yet", "err", err)
			}
		}
		wait.reset()
		n.log.Info("cluster: hearing other nodes again; this node forgets what it may have missed")
		n.local.Notify(quiz.Event{Kind: quiz.EventsMissed})
	}
}

// hearAll delivers each notification on conn until the connection fails or
// ctx ends. A connection quiet for Options.Ping is pinged, so that one cut
// without a word is noticed.
func (n *Notifier) hearAll(ctx context.Context, conn *pgx.Conn) error {
	for {
		waitCtx, cancel := context.WithTimeout(ctx, n.opts.Ping)
		note, err := conn.WaitForNotification(waitCtx)
		cancel()
		if note != nil {
			n.hear(note.Payload)
		}
		switch {
		case err == nil:
		case ctx.Err() != nil:
			return ctx.Err()
		case pgconn.Timeout(err):
			pingCtx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
			err = conn.Ping(pingCtx)
			cancel()
			if err != nil {
				return err
			}
		default:
			return err
		}
	}
}

// hear delivers another node's event to this node's subscribers.
func (n *Notifier) hear(payload string) {
	var m message
	if err := json.Unmarshal([]byte(payload), &m); err != nil || m.Node == "" || m.Event.Kind == "" {
		n.log.Warn("cluster: ignored a notification that is not an event", "payload", payload, "err", err)
		return
	}
	if m.Node == n.node {
		return // delivered here when it was notified
	}
	n.local.Notify(m.Event)
}

// closeConn closes a connection without waiting long for a database that
// may be gone.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = conn.Close(ctx) // an error leaves it closed all the same
}
