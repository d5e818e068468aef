package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"plenary/internal/domain"
	"plenary/internal/service"
)

// StudyGroupDetail is a study group with its working parties and Questions (the domain's).
type StudyGroupDetail = domain.StudyGroupDetail

// StudyGroup returns a study group with its working parties and Questions.
func (db *DB) StudyGroup(ctx context.Context, id int64) (*StudyGroupDetail, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT id, code, title, study_period, chair, phone, fax, email, web FROM study_groups WHERE id = $1`, id)
	g, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.StudyGroup])
	if err != nil {
		return nil, notFound(err, "error.not_found")
	}
	d := &StudyGroupDetail{StudyGroup: g}
	rows, _ = db.Pool.Query(ctx, `SELECT id, study_group_id, number, code, title FROM working_parties WHERE study_group_id = $1 ORDER BY number`, id)
	if d.WorkingParties, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.WorkingParty]); err != nil {
		return nil, fmt.Errorf("postgres: working parties: %w", err)
	}
	rows, _ = db.Pool.Query(ctx, `SELECT id, study_group_id, working_party_id, number, code, title FROM questions WHERE study_group_id = $1 ORDER BY number`, id)
	if d.Questions, err = pgx.CollectRows(rows, pgx.RowToStructByName[domain.Question]); err != nil {
		return nil, fmt.Errorf("postgres: questions: %w", err)
	}
	return d, nil
}

var (
	_ service.StudyGroupTx    = (*Tx)(nil)
	_ service.StudyGroupReads = (*DB)(nil)
)

// BumpStudyGroup marks every meeting of a study group changed, since their pages show its
// details, and tells every instance.
func (t *Tx) BumpStudyGroup(ctx context.Context, id int64) error {
	_, err := t.Exec(ctx, `WITH m AS (UPDATE meetings SET version = version + 1, updated_at = now() WHERE study_group_id = $1 RETURNING slug)
		SELECT pg_notify('meeting_changed', slug) FROM m`, id)
	if err != nil {
		return fmt.Errorf("postgres: notify study group change: %w", err)
	}
	return nil
}

// SaveStudyGroup stores a study group's own fields.
func (t *Tx) SaveStudyGroup(ctx context.Context, g domain.StudyGroup) error {
	tag, err := t.Exec(ctx, `UPDATE study_groups SET title = $2, study_period = $3, chair = $4, phone = $5, fax = $6, email = $7, web = $8 WHERE id = $1`,
		g.ID, g.Title, g.StudyPeriod, g.Chair, g.Phone, g.Fax, g.Email, g.Web)
	if err != nil {
		return fmt.Errorf("postgres: update study group: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return domain.Errorf(domain.NotFound, "error.not_found")
	}
	return nil
}

// SaveWorkingParties adds, changes and removes a study group's working parties. A working party
// that meetings still use cannot be removed. Working parties may swap numbers or codes in one
// save: the numbers and codes are checked once all the rows are written (checkDeferred), and
// two left with one number or code refuse the save.
func (t *Tx) SaveWorkingParties(ctx context.Context, sg int64, rows []domain.RowEdit[domain.WorkingParty]) error {
	for _, r := range rows {
		var err error
		switch {
		case r.ID == 0 && r.Delete:
			continue // a row added and removed in the same form
		case r.ID == 0:
			_, err = t.Exec(ctx, `INSERT INTO working_parties (study_group_id, number, code, title) VALUES ($1, $2, $3, $4)`, sg, r.Value.Number, r.Value.Code, r.Value.Title)
		case r.Delete:
			_, err = t.Exec(ctx, `DELETE FROM working_parties WHERE study_group_id = $1 AND id = $2`, sg, r.ID)
		default:
			_, err = t.Exec(ctx, `UPDATE working_parties SET number = $3, code = $4, title = $5 WHERE study_group_id = $1 AND id = $2`, sg, r.ID, r.Value.Number, r.Value.Code, r.Value.Title)
		}
		if err != nil {
			return studyGroupError(err, "postgres: save working parties")
		}
	}
	return studyGroupError(checkDeferred(ctx, t, "working_parties_study_group_id_number_key", "working_parties_study_group_id_code_key"),
		"postgres: save working parties")
}

// SaveQuestions adds, changes and removes a study group's Questions; as working parties, they
// may swap numbers or codes in one save.
func (t *Tx) SaveQuestions(ctx context.Context, sg int64, rows []domain.RowEdit[domain.Question]) error {
	for _, r := range rows {
		var err error
		q := r.Value
		switch {
		case r.ID == 0 && r.Delete:
			continue // a row added and removed in the same form
		case r.ID == 0:
			_, err = t.Exec(ctx, `INSERT INTO questions (study_group_id, number, code, working_party_id, title) VALUES ($1, $2, $3, $4, $5)`, sg, q.Number, q.Code, q.WorkingPartyID, q.Title)
		case r.Delete:
			_, err = t.Exec(ctx, `DELETE FROM questions WHERE study_group_id = $1 AND id = $2`, sg, r.ID)
		default:
			_, err = t.Exec(ctx, `UPDATE questions SET number = $3, code = $4, working_party_id = $5, title = $6 WHERE study_group_id = $1 AND id = $2`, sg, r.ID, q.Number, q.Code, q.WorkingPartyID, q.Title)
		}
		if err != nil {
			return studyGroupError(err, "postgres: save questions")
		}
	}
	return studyGroupError(checkDeferred(ctx, t, "questions_study_group_id_number_key", "questions_study_group_id_code_key"),
		"postgres: save questions")
}

func studyGroupError(err error, prefix string) error {
	if err == nil {
		return nil
	}
	if _, ok := domain.AsError(err); ok {
		return err
	}
	if isUniqueViolation(err, "") {
		return domain.Errorf(domain.Invalid, "sec.number_or_code_taken")
	}
	if isForeignKeyViolation(err, "") {
		return domain.Errorf(domain.Conflict, "sec.still_used")
	}
	return fmt.Errorf("%s: %w", prefix, err)
}
