package domain_test

import (
	"fmt"
	"testing"

	"plenary/internal/domain"
)

func TestTextFallsBackToEnglish(t *testing.T) {
	tx := domain.Text{"en": "Meetings", "zh": "会议"}
	if got := tx.In("zh"); got != "会议" {
		t.Errorf("In(zh) = %q", got)
	}
	if got := tx.In("ar"); got != "Meetings" {
		t.Errorf("In(ar) = %q, want the English", got)
	}
	if got := (domain.Text{"fr": "Réunions"}).In("zh"); got != "Réunions" {
		t.Errorf("In(zh) without en = %q, want any translation", got)
	}
	w := tx.With("zh", "")
	if _, ok := w["zh"]; ok {
		t.Error("With(zh, \"\") kept zh")
	}
	if tx["zh"] != "会议" {
		t.Error("With changed the original")
	}
}

func TestErrorCodes(t *testing.T) {
	err := fmt.Errorf("postgres: x: %w", domain.Errorf(domain.NotFound, "error.meeting_not_found"))
	if domain.ErrorCode(err) != domain.NotFound {
		t.Errorf("ErrorCode of a wrapped NotFound = %s", domain.ErrorCode(err))
	}
	if domain.ErrorCode(fmt.Errorf("boom")) != domain.Internal {
		t.Error("a plain error is not Internal")
	}
	fe := domain.FieldErrors(map[string]string{"email": "error.email_taken"})
	if fe.Code != domain.Invalid || fe.Fields["email"] != "error.email_taken" {
		t.Errorf("FieldErrors = %+v", fe)
	}
	if e, ok := domain.AsError(err); !ok || e.Key != "error.meeting_not_found" {
		t.Errorf("AsError = %+v, %v", e, ok)
	}
}
