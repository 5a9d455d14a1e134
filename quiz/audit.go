package quiz

import (
	"context"
	"time"
)

// Audit actions. They are stored and shown to admins and officials, so they
// never change once released.
const (
	AuditLock          = "lock"           // an official locked a round
	AuditUnlock        = "unlock"         // an admin unlocked it, with a reason
	AuditViewWinners   = "view_winners"   // a winners list with personal data was shown
	AuditExportWinners = "export_winners" // a winners file was downloaded or written
	AuditCertificates  = "certificates"   // certificates with names were printed
	AuditStatistics    = "statistics"     // a table of a round's statistics was downloaded
	AuditOwnData       = "own_data"       // a contestant downloaded their own data
	AuditDeleteAccount = "delete_account" // a contestant deleted their account
	AuditPurge         = "purge"          // personal data of old contests removed
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID      int64
	At      time.Time
	UserID  int64  // 0 for the command line
	Actor   string // who, as they were named then
	Action  string
	RoundID int64 // 0 when not about one round
	Detail  string
	IP      string
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	RoundID int64  // 0: any
	Action  string // "": any
	Before  int64  // entries with an id below this; 0: from the newest
	Limit   int    // default 100, at most 1000
}

// AuditStore keeps the audit log.
type AuditStore interface {
	Audit(ctx context.Context, e AuditEntry) error
	// AuditOnce appends e unless the same account has an entry of the same
	// action within the last within before e.At; it reports whether it did.
	AuditOnce(ctx context.Context, e AuditEntry, within time.Duration) (bool, error)
	AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
