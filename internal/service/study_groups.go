package service

import (
	"context"

	"plenary/internal/domain"
)

// StudyGroupTx is what the changes to a study group do inside their transaction.
type StudyGroupTx interface {
	// SaveStudyGroup stores a study group's own fields; a missing one is NotFound.
	SaveStudyGroup(ctx context.Context, g domain.StudyGroup) error
	// SaveWorkingParties adds, changes and removes working parties of study group sg: a number
	// or code taken is Invalid, one that meetings still use is not removed (Conflict).
	SaveWorkingParties(ctx context.Context, sg int64, rows []domain.RowEdit[domain.WorkingParty]) error
	// SaveQuestions adds, changes and removes Questions of study group sg (a number or code
	// taken is Invalid).
	SaveQuestions(ctx context.Context, sg int64, rows []domain.RowEdit[domain.Question]) error
	// BumpStudyGroup marks every meeting of study group sg changed (their pages show its
	// details), for every instance's cache.
	BumpStudyGroup(ctx context.Context, sg int64) error
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
}

// StudyGroupReads are what the pages of study groups read.
type StudyGroupReads interface {
	// StudyGroup returns a study group with its working parties and Questions; NotFound when
	// there is none.
	StudyGroup(ctx context.Context, id int64) (*domain.StudyGroupDetail, error)
	// StudyGroups lists the study groups by code.
	StudyGroups(ctx context.Context) ([]domain.StudyGroup, error)
}

// StudyGroups are the secretariat's use cases of a study group: its own fields, its working
// parties and its Questions. Each change, its meetings marked changed and its audit event are
// one transaction (RunTx, retried on a serialization failure or a deadlock).
type StudyGroups struct {
	tx    RunTx[StudyGroupTx]
	reads StudyGroupReads
}

// NewStudyGroups builds the study group use cases.
func NewStudyGroups(tx RunTx[StudyGroupTx], reads StudyGroupReads) *StudyGroups {
	return &StudyGroups{tx: tx, reads: reads}
}

// Detail is a study group with its working parties and Questions; NotFound when there is none.
func (s *StudyGroups) Detail(ctx context.Context, id int64) (*domain.StudyGroupDetail, error) {
	return s.reads.StudyGroup(ctx, id)
}

// List lists the study groups by code (the forms of meetings and organisations offer them).
func (s *StudyGroups) List(ctx context.Context) ([]domain.StudyGroup, error) {
	return s.reads.StudyGroups(ctx)
}

// mayManage refuses an actor who may not manage study groups (domain.CanManageStudyGroups).
func mayManage(actor domain.Actor) error {
	if !domain.CanManageStudyGroups(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return nil
}

// change runs one change of study group sg in a transaction: the change, the study group's
// meetings marked changed, the audit event.
func (s *StudyGroups) change(ctx context.Context, a Audit, actor domain.Actor, sg int64, action string, detail map[string]any,
	fn func(tx StudyGroupTx) error) error {
	if err := mayManage(actor); err != nil {
		return err
	}
	return s.tx(ctx, func(tx StudyGroupTx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if err := tx.BumpStudyGroup(ctx, sg); err != nil {
			return err
		}
		return tx.Audit(ctx, a, action, "study_group", []int64{sg}, []map[string]any{detail})
	})
}

// Update changes a study group's own fields (audited study_group.update).
func (s *StudyGroups) Update(ctx context.Context, a Audit, actor domain.Actor, g domain.StudyGroup) error {
	return s.change(ctx, a, actor, g.ID, "study_group.update", map[string]any{}, func(tx StudyGroupTx) error {
		return tx.SaveStudyGroup(ctx, g)
	})
}

// SaveWorkingParties adds, changes and removes a study group's working parties; one that
// meetings still use is not removed (Conflict). Audited study_group.save_working_parties.
func (s *StudyGroups) SaveWorkingParties(ctx context.Context, a Audit, actor domain.Actor, sg int64, rows []domain.RowEdit[domain.WorkingParty]) error {
	return s.change(ctx, a, actor, sg, "study_group.save_working_parties", map[string]any{"rows": len(rows)}, func(tx StudyGroupTx) error {
		return tx.SaveWorkingParties(ctx, sg, rows)
	})
}

// SaveQuestions adds, changes and removes a study group's Questions (audited
// study_group.save_questions).
func (s *StudyGroups) SaveQuestions(ctx context.Context, a Audit, actor domain.Actor, sg int64, rows []domain.RowEdit[domain.Question]) error {
	return s.change(ctx, a, actor, sg, "study_group.save_questions", map[string]any{"rows": len(rows)}, func(tx StudyGroupTx) error {
		return tx.SaveQuestions(ctx, sg, rows)
	})
}
