package store

import (
	"context"
	"fmt"

	"testing"
	"time"

	"hoithi/quiz"
	"hoithi/store/storetest"
)

// BenchmarkSessionOver measures checking a token against a log of 10,000
// logouts and 1,000 password changes, as every authenticated request
// does; the log is re-read for new rows every 2 seconds of the clock.
func BenchmarkSessionOver(b *testing.B) {
	ctx := context.Background()
	db := openTest(b, Options{})
	a := quiz.NewAccounts(db, storetest.PlainHasher{}, nil, time.Now)
	u, err := a.CreateStaff(ctx, quiz.StaffAccount{Email: "can-bo@so.gov.vn", Password: "mat-khau-123", Role: quiz.RoleOfficial})
	if err != nil {
		b.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	for i := range 10000 {
		if err := a.EndSession(ctx, quiz.Session{ID: fmt.Sprint("phien-", i), UserID: u.ID, ExpiresAt: exp}); err != nil {
			b.Fatal(err)
		}
	}
	for range 1000 {
		if _, err := a.ResetPassword(ctx, u.ID, "mat-khau-moi-1", quiz.Actor{Name: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
	live := quiz.Session{ID: "dang-dung", UserID: u.ID, Epoch: 1000, ExpiresAt: exp}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if over, err := a.SessionOver(ctx, live); err != nil || over {
				b.Fatalf("over %v, err %v", over, err)
			}
		}
	})
}
