package quiz

import "context"

// HashTurn runs one password hash when the caller's turn comes, or says
// why it cannot (the queue is full). A server hands one in through the
// context so that a bcrypt computation takes one of a few slots, in turns
// by client, while the rest of the request (checks, the database write)
// runs outside it, free to share a commit with others.
type HashTurn func(work func()) error

type hashTurnKey struct{}

// WithHashTurn returns ctx carrying turn, for Accounts.Register.
func WithHashTurn(ctx context.Context, turn HashTurn) context.Context {
	return context.WithValue(ctx, hashTurnKey{}, turn)
}

// hashPassword hashes password, in the turn ctx carries if any.
func (a *Accounts) hashPassword(ctx context.Context, password string) (string, error) {
	var hash string
	var err error
	work := func() { hash, err = a.hasher.Hash(password) }
	if turn, ok := ctx.Value(hashTurnKey{}).(HashTurn); ok {
		if terr := turn(work); terr != nil {
			return "", terr
		}
	} else {
		work()
	}
	return hash, err
}
