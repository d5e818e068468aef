package postgres

import (
	"context"
	"fmt"
	"plenary/internal/domain"

	"github.com/jackc/pgx/v5"
)

// The read models of the lists are the domain's (domain/document_list.go).
type (
	MyDocument = domain.MyDocument
)

// DocumentsBy lists the documents an account submitted, newest first.
func (db *DB) DocumentsBy(ctx context.Context, accountID int64) ([]MyDocument, error) {
	q := `SELECT l.*, m.slug AS meeting_slug FROM (` + documentLineSelect + ` WHERE d.submitted_by = $1) l
		JOIN meetings m ON m.id = l.meeting_id ORDER BY l.submitted_at DESC, l.id DESC LIMIT 200`
	rows, err := db.Pool.Query(ctx, q, accountID)
	if err != nil {
		return nil, fmt.Errorf("postgres: my documents: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByName[MyDocument])
}
