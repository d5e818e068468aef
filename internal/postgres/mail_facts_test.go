package postgres

import (
	"encoding/json"
	"reflect"
	"testing"

	"plenary/internal/domain"
)

// sampleFacts are mail facts as the outbox holds them: written by Go (a registration's, as
// registerTx marshals them), and by SQL (mailFactsSQL's shape: dates as strings or null, an
// empty desk place as {}, a visa reason), and facts of an older version with a field since gone.
var sampleFacts = []string{
	mustMarshal(MailFacts{ToEmail: "delegate.0001@example.test", ToName: "Alice Example", ToLanguage: "fr", HasRegistration: true,
		Mode: domain.InPerson, DelegateName: "Alice Example", OrgName: "Example Networks Ltd.", MeetingSlug: "bench-reg-001",
		MeetingTitle: domain.Text{"en": "Working Party 1/13", "fr": "Groupe de travail 1/13", "ar": "الفرقة العاملة 1/13", "zh": "第1工作组", "ru": "Рабочая группа 1/13", "es": "Grupo de Trabajo 1/13"},
		City:         domain.Text{"en": "Geneva", "fr": "Genève"}, FirstDay: "2027-03-01", LastDay: "2027-03-05"}),
	`{"to_email": "focal.sm@plenary.test", "to_name": "Focal \"SM\" Point", "to_language": "en", "has_registration": true,
		"mode": "remote", "reason": "", "delegate_name": "Bob", "org_name": "Example", "meeting_slug": "sg13",
		"meeting_title": {"en": "Study Group 13"}, "city": {}, "first_day": "2027-01-10", "last_day": "2027-01-20",
		"visa_reason": "Passport expires\nbefore the meeting", "registration_id": 9007199254740, "desk_place": {"en": "Room A"}}`,
	`{"to_email": "x@example.test", "to_name": "", "to_language": "", "has_registration": false, "mode": "", "reason": "",
		"delegate_name": "", "org_name": "", "meeting_slug": "", "meeting_title": {}, "city": {}, "first_day": null,
		"last_day": null, "visa_reason": "", "registration_id": 0, "desk_place": {}}`,
	`{"to_email": "old@example.test", "city": "Geneva", "meeting_title": "Old title", "gone_field": [1, {"a": null}]}`,
	`{}`,
}

func mustMarshal(f MailFacts) string {
	b, err := json.Marshal(f)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// The mail worker's decoder (decodeMailFacts) reads every form of facts the outbox holds as
// encoding/json, which wrote and read them before, does.
func TestDecodeMailFactsReadsAsEncodingJSON(t *testing.T) {
	for _, in := range sampleFacts {
		var want, got MailFacts
		if err := json.Unmarshal([]byte(in), &want); err != nil {
			t.Fatalf("encoding/json: %s: %v", in, err)
		}
		if err := decodeMailFacts([]byte(in), &got); err != nil {
			t.Fatalf("decodeMailFacts: %s: %v", in, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %#v\nwant %#v", in, got, want)
		}
	}
	var f MailFacts
	if err := decodeMailFacts([]byte(`{"to_email": 1}`), &f); err == nil {
		t.Error("a number for an address was read without an error")
	}
}

// BenchmarkDecodeMailFacts compares the worker's decoder with encoding/json on a registration's
// facts (make bench's registration mail).
func BenchmarkDecodeMailFacts(b *testing.B) {
	in := []byte(sampleFacts[0])
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var f MailFacts
			if err := json.Unmarshal(in, &f); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decodeMailFacts", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var f MailFacts
			if err := decodeMailFacts(in, &f); err != nil {
				b.Fatal(err)
			}
		}
	})
}
