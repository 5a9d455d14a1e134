package store

import (
	"context"
	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store/storetest"
)

// A registration's password hash runs in the turn the context carries, and
// only the hash: a refused turn stores nothing.
func TestRegistrationHashesInItsTurn(t *testing.T) {
	db := openTest(t, Options{})
	a := quiz.NewAccounts(db, storetest.PlainHasher{}, []quiz.Province{{Code: "01", Name: "Hà Nội"}}, time.Now)
	reg := func(phone string) quiz.Registration {
		return quiz.Registration{FullName: "Nguyễn Văn An", BirthDate: "1990-05-12", IDNumber: "001090012345",
			Phone: phone, Province: "01", Password: "mat-khau-123", Consent: true}
	}
	turns := 0
	ctx := quiz.WithHashTurn(context.Background(), func(work func()) error {
		turns++
		work()
		return nil
	})
	if _, err := a.Register(ctx, reg("0911111111"), quiz.ClientInfo{}); err != nil {
		t.Fatal(err)
	}
	if turns != 1 {
		t.Errorf("the registration took %d hashing turns, want 1", turns)
	}
	if _, err := a.Register(ctx, quiz.Registration{FullName: "Thiếu Mật Khẩu"}, quiz.ClientInfo{}); quiz.ErrorCode(err) != quiz.CodeValidation || turns != 1 {
		t.Errorf("an invalid registration: %v after %d turns; want validation_failed without a turn", err, turns)
	}
	full := quiz.Errorf(quiz.CodeRateLimited, "the queue is full")
	refused := quiz.WithHashTurn(context.Background(), func(func()) error { return full })
	if _, err := a.Register(refused, reg("0922222222"), quiz.ClientInfo{}); err != full {
		t.Errorf("a refused turn gave %v, want its error", err)
	}
	if _, _, err := db.UserByLogin(context.Background(), "0922222222"); quiz.ErrorCode(err) != quiz.CodeNotFound {
		t.Errorf("a registration refused its turn was stored: %v", err)
	}
}
