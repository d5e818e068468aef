package domain_test

import (
	"encoding/json"
	"fmt"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"

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
		t.Errorf("In(zh) without en = %q, want the one translation", got)
	}
	w := tx.With("zh", "")
	if _, ok := w["zh"]; ok {
		t.Error("With(zh, \"\") kept zh")
	}
	if tx["zh"] != "会议" {
		t.Error("With changed the original")
	}
}

// The fallback after English is fixed (zh, fr, es, ru, ar, then other tags alphabetically), never
// the map's iteration order: each case is read many times, since Go randomises map order per range.
func TestTextFallbackIsFixed(t *testing.T) {
	cases := []struct {
		t    domain.Text
		lang string
		want string
	}{
		{domain.Text{"en": "Venue", "zh": "会场", "fr": "Lieu"}, "fr", "Lieu"},
		{domain.Text{"en": "Venue", "zh": "会场", "fr": "Lieu"}, "ru", "Venue"},
		{domain.Text{"ar": "المكان", "ru": "Место", "es": "Lugar", "fr": "Lieu", "zh": "会场"}, "en", "会场"},
		{domain.Text{"ar": "المكان", "ru": "Место", "es": "Lugar", "fr": "Lieu"}, "zh", "Lieu"},
		{domain.Text{"ar": "المكان", "ru": "Место", "es": "Lugar"}, "en", "Lugar"},
		{domain.Text{"ar": "المكان", "ru": "Место"}, "fr", "Место"},
		{domain.Text{"ar": "المكان", "pt": "Local", "de": "Ort"}, "en", "المكان"},
		{domain.Text{"pt": "Local", "de": "Ort", "it": "Luogo"}, "en", "Ort"},
		{domain.Text{"en": "", "zh": "会场", "fr": "Lieu"}, "es", "会场"},
		{domain.Text{"en": "", "zh": ""}, "es", ""},
		{nil, "en", ""},
	}
	for _, c := range cases {
		for i := 0; i < 50; i++ {
			if got := c.t.In(c.lang); got != c.want {
				t.Fatalf("%v.In(%s) = %q, want %q (read %d)", c.t, c.lang, got, c.want, i)
			}
		}
	}
}

func TestTextLang(t *testing.T) {
	tx := domain.Text{"fr": "Lieu", "ru": "Место"}
	if tx.Lang("ru") != "ru" || tx.Lang("zh") != "fr" || (domain.Text{}).Lang("en") != "" {
		t.Errorf("Lang: ru %q, zh %q", tx.Lang("ru"), tx.Lang("zh"))
	}
	if !tx.Equal(domain.Text{"fr": "Lieu", "ru": "Место", "ar": ""}) || tx.Equal(domain.Text{"fr": "Lieu"}) {
		t.Error("Equal")
	}
}

func TestTextMissing(t *testing.T) {
	tx := domain.Text{"en": "Venue", "zh": "会场", "ru": ""}
	got := tx.Missing([]string{"en", "zh", "fr", "es", "ru", "ar"})
	if fmt.Sprint(got) != "[fr es ru ar]" {
		t.Errorf("Missing = %v", got)
	}
	if m := (domain.Text{"en": "x"}).Missing([]string{"en"}); len(m) != 0 {
		t.Errorf("Missing of a complete text = %v", m)
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

// A Text reads from an object of translations, from a plain string (its English), and from null
// (no translation); anything else is an error. Both JSON packages the code decodes with
// (encoding/json: UnmarshalJSON; github.com/go-json-experiment/json: UnmarshalJSONFrom, the
// mail worker's) read the same.
func TestTextUnmarshalJSON(t *testing.T) {
	decoders := []struct {
		name      string
		unmarshal func([]byte, any) error
	}{
		{"encoding/json", json.Unmarshal},
		{"go-json-experiment", func(b []byte, v any) error { return jsonv2.Unmarshal(b, v) }},
	}
	for _, d := range decoders {
		for _, c := range []struct {
			in   string
			want domain.Text
		}{
			{`{"en":"Geneva","fr":"Genève"}`, domain.Text{"en": "Geneva", "fr": "Genève"}},
			{` {"en":"Geneva"}`, domain.Text{"en": "Geneva"}},
			{`{}`, domain.Text{}},
			{`"Geneva"`, domain.Text{"en": "Geneva"}},
			{`""`, domain.Text{}},
			{`null`, domain.Text{}},
		} {
			got := domain.Text{"xx": "left from before"}
			if err := d.unmarshal([]byte(c.in), &got); err != nil {
				t.Errorf("%s: %s: %v", d.name, c.in, err)
				continue
			}
			if got == nil || !got.Equal(c.want) {
				t.Errorf("%s: %s: got %#v, want %#v", d.name, c.in, got, c.want)
			}
		}
		// In a struct, as the mail's facts hold it.
		var facts struct {
			City  domain.Text `json:"city"`
			Title domain.Text `json:"title"`
			Place domain.Text `json:"place"`
		}
		in := `{"city": {"en": "Geneva", "zh": "日内瓦"}, "title": "Plenary", "place": null}`
		if err := d.unmarshal([]byte(in), &facts); err != nil || facts.City["zh"] != "日内瓦" || facts.Title["en"] != "Plenary" || facts.Place == nil {
			t.Errorf("%s: in a struct: %#v, %v", d.name, facts, err)
		}
		for _, bad := range []string{`12`, `["en"]`, `true`, `{"en": 1}`} {
			var got domain.Text
			if err := d.unmarshal([]byte(bad), &got); err == nil {
				t.Errorf("%s: %s: no error, got %#v", d.name, bad, got)
			}
		}
	}
}
