package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
)

// LetterScope names whose letter settings are meant (domain.LetterScope).
type LetterScope = domain.LetterScope

func letterWhere(s LetterScope) (string, int64) {
	if s.MeetingID != 0 {
		return "meeting_id", s.MeetingID
	}
	return "study_group_id", s.StudyGroupID
}

const letterSettingsColumns = `secretariat_name, postal_address, signatory_name, signatory_title, signature, signature_type, language, version`

// LetterSettings returns the settings set for scope (empty ones when none were).
func (db *DB) LetterSettings(ctx context.Context, scope LetterScope) (domain.LetterSettings, error) {
	col, id := letterWhere(scope)
	rows, _ := db.Pool.Query(ctx, `SELECT `+letterSettingsColumns+` FROM letter_settings WHERE `+col+` = $1`, id)
	s, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.LetterSettings])
	if err == pgx.ErrNoRows {
		return domain.LetterSettings{}, nil
	}
	if err != nil {
		return s, fmt.Errorf("postgres: letter settings: %w", err)
	}
	return s, nil
}

// effectiveLetterSettings returns, for each meeting, its settings over its study group's.
func effectiveLetterSettings(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, meetingIDs []int64) (map[int64]domain.LetterSettings, error) {
	rows, err := q.Query(ctx, `SELECT m.id,
			COALESCE(ms.secretariat_name, ''), COALESCE(ms.postal_address, ''), COALESCE(ms.signatory_name, ''),
			COALESCE(ms.signatory_title, ''), ms.signature, COALESCE(ms.signature_type, ''), COALESCE(ms.language, ''),
			COALESCE(gs.secretariat_name, ''), COALESCE(gs.postal_address, ''), COALESCE(gs.signatory_name, ''),
			COALESCE(gs.signatory_title, ''), gs.signature, COALESCE(gs.signature_type, ''), COALESCE(gs.language, '')
		FROM meetings m
		LEFT JOIN letter_settings ms ON ms.meeting_id = m.id
		LEFT JOIN letter_settings gs ON gs.study_group_id = m.study_group_id
		WHERE m.id = ANY($1)`, meetingIDs)
	if err != nil {
		return nil, fmt.Errorf("postgres: letter settings: %w", err)
	}
	out := map[int64]domain.LetterSettings{}
	var id int64
	var m, g domain.LetterSettings
	_, err = pgx.ForEachRow(rows, []any{&id,
		&m.SecretariatName, &m.PostalAddress, &m.SignatoryName, &m.SignatoryTitle, &m.Signature, &m.SignatureType, &m.Language,
		&g.SecretariatName, &g.PostalAddress, &g.SignatoryName, &g.SignatoryTitle, &g.Signature, &g.SignatureType, &g.Language,
	}, func() error {
		out[id] = m.Over(g)
		m, g = domain.LetterSettings{}, domain.LetterSettings{}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: letter settings: %w", err)
	}
	return out, nil
}

// EffectiveLetterSettings returns the settings a meeting's letters are written with.
func (db *DB) EffectiveLetterSettings(ctx context.Context, meetingID int64) (domain.LetterSettings, error) {
	all, err := effectiveLetterSettings(ctx, db.Pool, []int64{meetingID})
	if err != nil {
		return domain.LetterSettings{}, err
	}
	s, ok := all[meetingID]
	if !ok {
		return s, domain.Errorf(domain.NotFound, "error.meeting_not_found")
	}
	return s, nil
}

// SignatureChange says what a save does to the signature image (domain.SignatureChange).
type SignatureChange = domain.SignatureChange

// The signature changes.
const (
	SignatureKeep    = domain.SignatureKeep
	SignatureReplace = domain.SignatureReplace
	SignatureRemove  = domain.SignatureRemove
)

// LockLetterSettings locks the settings row of scope, made empty first when there is none, and
// returns its version; a study group or meeting that does not exist is NotFound.
func (t *Tx) LockLetterSettings(ctx context.Context, scope LetterScope) (int64, error) {
	col, id := letterWhere(scope)
	var exists bool
	if err := t.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+map[string]string{"meeting_id": "meetings", "study_group_id": "study_groups"}[col]+
		` WHERE id = $1)`, id).Scan(&exists); err != nil {
		return 0, fmt.Errorf("postgres: letter settings: %w", err)
	}
	if !exists {
		return 0, domain.Errorf(domain.NotFound, "error.not_found")
	}
	if _, err := t.Exec(ctx, `INSERT INTO letter_settings (`+col+`, version) VALUES ($1, 0) ON CONFLICT (`+col+`) DO NOTHING`, id); err != nil {
		return 0, fmt.Errorf("postgres: letter settings: %w", err)
	}
	var version int64
	if err := t.QueryRow(ctx, `SELECT version FROM letter_settings WHERE `+col+` = $1 FOR UPDATE`, id).Scan(&version); err != nil {
		return 0, fmt.Errorf("postgres: letter settings: %w", err)
	}
	return version, nil
}

// UpdateLetterSettings writes the settings of scope (locked by LockLetterSettings) and bumps
// their version; sig says what becomes of the signature image.
func (t *Tx) UpdateLetterSettings(ctx context.Context, scope LetterScope, s domain.LetterSettings, sig SignatureChange) error {
	col, id := letterWhere(scope)
	var sigSQL string
	args := []any{id, s.SecretariatName, s.PostalAddress, s.SignatoryName, s.SignatoryTitle, s.Language}
	switch sig {
	case SignatureReplace:
		sigSQL = `, signature = $7, signature_type = $8`
		args = append(args, s.Signature, s.SignatureType)
	case SignatureRemove:
		sigSQL = `, signature = NULL, signature_type = ''`
	}
	if _, err := t.Exec(ctx, `UPDATE letter_settings SET secretariat_name = $2, postal_address = $3, signatory_name = $4,
			signatory_title = $5, language = $6, version = version + 1, updated_at = now()`+sigSQL+` WHERE `+col+` = $1`, args...); err != nil {
		return fmt.Errorf("postgres: letter settings: %w", err)
	}
	return nil
}
