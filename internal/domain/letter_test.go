package domain

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"testing"
)

func TestLetterSettingsOverTheStudyGroup(t *testing.T) {
	sg := LetterSettings{SecretariatName: "TSB", PostalAddress: "Place des Nations\n\nCH-1211 Geneva 20", SignatoryName: "A",
		SignatoryTitle: "Director", Signature: []byte{1}, SignatureType: "image/png"}
	got := LetterSettings{SignatoryName: "B", SignatoryTitle: " "}.Over(sg)
	if got.SecretariatName != "TSB" || got.SignatoryName != "B" || got.SignatoryTitle != "Director" || got.Language != "en" ||
		len(got.Signature) != 1 {
		t.Errorf("Over = %+v", got)
	}
	if lines := got.AddressLines(); len(lines) != 2 || lines[1] != "CH-1211 Geneva 20" {
		t.Errorf("address lines %q", lines)
	}
	if !got.CanIssueLetters().Allowed {
		t.Error("complete settings refused")
	}
	for _, s := range []LetterSettings{
		{PostalAddress: "x", SignatoryName: "A", SignatoryTitle: "D"},
		{SecretariatName: "TSB", PostalAddress: " \n ", SignatoryName: "A", SignatoryTitle: "D"},
		{SecretariatName: "TSB", PostalAddress: "x", SignatoryTitle: "D"},
		{SecretariatName: "TSB", PostalAddress: "x", SignatoryName: "A"},
	} {
		if c := s.CanIssueLetters(); c.Allowed || c.Key() != "error.letter_settings_missing" {
			t.Errorf("%+v: %+v", s, c)
		}
	}
	if fieldKey(CheckLetterSettings(LetterSettings{}, true), FieldSignatoryName) != "error.required" {
		t.Error("a study group's empty signatory accepted")
	}
	if err := CheckLetterSettings(LetterSettings{}, false); err != nil {
		t.Errorf("a meeting's empty settings: %v", err)
	}
	if fieldKey(CheckLetterSettings(LetterSettings{PostalAddress: "1\n2\n3\n4\n5\n6\n7"}, false), FieldPostalAddress) != "error.address_too_long" {
		t.Error("seven address lines accepted")
	}
	if fieldKey(CheckLetterSettings(LetterSettings{Language: "xx"}, false), FieldLetterLanguage) != "error.letter_language" {
		t.Error("an unknown language accepted")
	}
}

func TestCheckSignature(t *testing.T) {
	encode := func(w, h int, enc func(*bytes.Buffer, image.Image) error) []byte {
		var b bytes.Buffer
		if err := enc(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	pngOf := func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }
	jpegOf := func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) }
	if typ, err := CheckSignature(encode(300, 100, pngOf)); err != nil || typ != "image/png" {
		t.Errorf("png: %s %v", typ, err)
	}
	if typ, err := CheckSignature(encode(300, 100, jpegOf)); err != nil || typ != "image/jpeg" {
		t.Errorf("jpeg: %s %v", typ, err)
	}
	good := encode(300, 100, pngOf)
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"text":      {[]byte("hello, not an image"), "error.signature_type"},
		"truncated": {good[:len(good)/2], "error.signature_type"},
		"gif":       {[]byte("GIF89a\x01\x00\x01\x00"), "error.signature_type"},
		"too wide":  {encode(SignatureMaxSide+1, 10, pngOf), "error.signature_dimensions"},
		"too large": {append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, SignatureMaxBytes)...), "error.signature_too_large"},
	} {
		if _, err := CheckSignature(c.b); fieldKey(err, FieldSignature) != c.want {
			t.Errorf("%s: %v, want %s", name, err, c.want)
		}
	}
}
