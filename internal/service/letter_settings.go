package service

import (
	"context"

	"plenary/internal/domain"
)

// LetterSettingsTx is what saving visa letter settings does inside its transaction.
type LetterSettingsTx interface {
	// LockLetterSettings locks the settings of scope (made empty when there are none) and
	// returns their version; a scope whose study group or meeting does not exist is NotFound.
	LockLetterSettings(ctx context.Context, scope domain.LetterScope) (int64, error)
	// UpdateLetterSettings writes the settings of scope and bumps their version.
	UpdateLetterSettings(ctx context.Context, scope domain.LetterScope, s domain.LetterSettings, sig domain.SignatureChange) error
	// Audit writes one audit event of action per record id, with details[i] for ids[i].
	Audit(ctx context.Context, a Audit, action, entity string, ids []int64, details []map[string]any) error
}

// LetterSettingsReads are what the settings page reads.
type LetterSettingsReads interface {
	// LetterSettings returns the settings set for scope (empty ones when none were).
	LetterSettings(ctx context.Context, scope domain.LetterScope) (domain.LetterSettings, error)
}

// LetterSettings are the use cases of the letterhead, signatory and language of the visa
// letters, a study group's or one meeting's (over its study group's).
type LetterSettings struct {
	tx    RunTx[LetterSettingsTx]
	reads LetterSettingsReads
}

// NewLetterSettings builds the letter settings' use cases.
func NewLetterSettings(tx RunTx[LetterSettingsTx], reads LetterSettingsReads) *LetterSettings {
	return &LetterSettings{tx: tx, reads: reads}
}

// Get returns the settings of scope, to one who may edit them (else Forbidden).
func (s *LetterSettings) Get(ctx context.Context, actor domain.Actor, scope domain.LetterScope) (domain.LetterSettings, error) {
	if !domain.CanEditLetterSettings(actor) {
		return domain.LetterSettings{}, domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	return s.reads.LetterSettings(ctx, scope)
}

// Save stores the settings of scope, by one who may edit them, audited (letter_settings.save)
// in the same transaction. st.Version is the one the form was read at: a save over a newer one
// is refused (someone else saved meanwhile) and changes nothing.
func (s *LetterSettings) Save(ctx context.Context, a Audit, actor domain.Actor, scope domain.LetterScope, st domain.LetterSettings, sig domain.SignatureChange) error {
	if !domain.CanEditLetterSettings(actor) {
		return domain.Errorf(domain.Forbidden, "error.forbidden")
	}
	if err := domain.CheckLetterSettings(st, scope.MeetingID == 0); err != nil {
		return err
	}
	col, entity, id := "study_group_id", "study_group", scope.StudyGroupID
	if scope.MeetingID != 0 {
		col, entity, id = "meeting_id", "meeting", scope.MeetingID
	}
	return s.tx(ctx, func(tx LetterSettingsTx) error {
		version, err := tx.LockLetterSettings(ctx, scope)
		if err != nil {
			return err
		}
		if version != st.Version {
			return domain.Errorf(domain.Conflict, "error.letter_settings_changed")
		}
		if err := tx.UpdateLetterSettings(ctx, scope, st, sig); err != nil {
			return err
		}
		detail := map[string]any{col: id, "signatory_name": st.SignatoryName, "signatory_title": st.SignatoryTitle,
			"language": st.Language, "signature": [...]string{"kept", "replaced", "removed"}[sig]}
		return tx.Audit(ctx, a, "letter_settings.save", entity, []int64{id}, []map[string]any{detail})
	})
}
