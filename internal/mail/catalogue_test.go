package mail_test

import (
	"strings"
	"testing"
	"unicode"

	"plenary/internal/domain"
	"plenary/internal/postgres"
)

// The mail keys built at run time ("mail.state." + state …) exist in every language, and the
// Chinese mail messages are Chinese.
func TestMailKeysExistInEveryLanguage(t *testing.T) {
	t.Parallel()
	cat := catalogue(t)
	var want []string
	for _, m := range []domain.Mode{domain.InPerson, domain.Remote} {
		want = append(want, "mail.mode."+string(m))
	}
	for _, s := range postgres.MailStates {
		want = append(want, "mail.state."+s)
	}
	for k, msg := range map[string]string{
		postgres.MailRegistrationAck:       "ack",
		postgres.MailRegistrationPending:   "pending",
		postgres.MailRegistrationApproved:  "approved",
		postgres.MailRegistrationRejected:  "rejected",
		postgres.MailRegistrationCancelled: "cancelled",
		postgres.MailVisaIssued:            "visa_issued",
		postgres.MailVisaDeclined:          "visa_declined",
	} {
		want = append(want, "mail.kind."+k, "mail."+msg+".subject", "mail."+msg+".body")
	}
	for _, l := range cat.Langs() {
		have := map[string]bool{}
		for _, k := range cat.Keys(l.Tag) {
			have[k] = true
		}
		for _, k := range want {
			if !have[k] {
				t.Errorf("%s lacks %s", l.Tag, k)
			}
		}
	}
	for _, k := range cat.Keys("zh") {
		if !strings.HasPrefix(k, "mail.") || k == "mail.page.state_count" { // only placeholders
			continue
		}
		if s := cat.For("zh").T(k); !strings.ContainsFunc(s, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
			t.Errorf("zh %s = %q, want Chinese text", k, s)
		}
	}
}
