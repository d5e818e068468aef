package badge

import (
	"bytes"
	"crypto/ed25519"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
	"time"

	"plenary/internal/domain"
	"plenary/internal/pdftest"
)

func fonts(t testing.TB) *Fonts {
	t.Helper()
	f, err := DefaultFonts()
	if err != nil {
		pdftest.Missing(t, err.Error())
	}
	return f
}

func signed(t *testing.T, kind domain.TokenKind) (string, map[uint16]ed25519.PublicKey, domain.Token) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := domain.Token{Kind: kind, Key: 1, ID: 77, Registration: 4242, Meeting: 3, Mode: domain.InPerson, Serial: 2,
		ValidFrom: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2025, 7, 25, 22, 0, 0, 0, time.UTC)}
	return tok.Sign(priv), map[uint16]ed25519.PublicKey{1: pub}, tok
}

func TestConfirmationReadsBackAndItsCodeVerifies(t *testing.T) {
	code, keys, tok := signed(t, domain.ConfirmationToken)
	c := Confirmation{
		Title: "Registration confirmation",
		Rows: [][2]string{{"Reference", "SG13-WP-2025-07/R04242"}, {"Name", "李伟 (Li Wei)"}, {"Organisation", "Example Networks Ltd."},
			{"Meeting", "Meetings of Working Parties 1/13 to 4/13"}, {"Dates", "25 July 2025"}},
		DeskHeading: "Collect your badge",
		Desk:        []string{"Montbrillant building entrance", "Friday 25 July 2025, from 08:30"},
		Code:        code,
		CodeNote:    "Show this code at the registration desk, with photo ID.",
	}
	pdf, err := RenderConfirmation(fonts(t), c)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, pdf)
	for _, want := range []string{"Registration confirmation", "SG13-WP-2025-07/R04242", "李伟 (Li Wei)", "Example Networks Ltd.",
		"Montbrillant building entrance", "Friday 25 July 2025, from 08:30", "with photo ID"} {
		if !strings.Contains(text, want) {
			t.Errorf("the confirmation lacks %q:\n%s", want, text)
		}
	}
	codes := pdftest.QRCodes(t, pdf)
	if len(codes) != 1 || codes[0] != code {
		t.Fatalf("QR codes %q, want the token", codes)
	}
	got, err := domain.VerifyToken(keys, codes[0], time.Date(2025, 7, 25, 8, 30, 0, 0, time.UTC))
	if err != nil || got != tok {
		t.Fatalf("decoded token: %+v %v", got, err)
	}

	// A remote registration's confirmation has its remote details and no code.
	remote, err := RenderConfirmation(fonts(t), Confirmation{Title: "Registration confirmation", Rows: c.Rows[:2],
		RemoteHeading: "Remote participation", Remote: []string{"Zoom: https://example.org/j/1"}})
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftest.Text(t, remote); !strings.Contains(text, "Zoom: https://example.org/j/1") || strings.Contains(text, "registration desk") {
		t.Errorf("remote confirmation:\n%s", text)
	}
	if codes := pdftest.QRCodes(t, remote); len(codes) != 0 {
		t.Errorf("remote confirmation has QR codes %q", codes)
	}
}

func testPhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 60, 80))
	for y := 0; y < 80; y++ {
		for x := 0; x < 60; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 3), 128, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBadgeReadsBackAndItsCodeVerifies(t *testing.T) {
	code, keys, tok := signed(t, domain.BadgeToken)
	b := Badge{Meeting: "ITU-T SG13 Working Parties, Geneva, 25 July 2025", Name: "Zoë Ångström-Nakamura",
		Organisation: "Example Networks Ltd.", Country: "Switzerland", Photo: testPhoto(t), Number: 2, Code: code}
	pdf, err := RenderBadge(fonts(t), b)
	if err != nil {
		t.Fatal(err)
	}
	text := pdftest.Text(t, pdf)
	for _, want := range []string{"Zoë Ångström-Nakamura", "Example Networks Ltd.", "Switzerland", "No. 2", "Geneva"} {
		if !strings.Contains(text, want) {
			t.Errorf("the badge lacks %q:\n%s", want, text)
		}
	}
	if !bytes.Contains(pdf, []byte("/Subtype /Image")) {
		t.Error("the badge has no image")
	}
	codes := pdftest.QRCodes(t, pdf)
	if len(codes) != 1 {
		t.Fatalf("QR codes %q, want one", codes)
	}
	got, err := domain.VerifyToken(keys, codes[0], time.Date(2025, 7, 25, 8, 30, 0, 0, time.UTC))
	if err != nil || got != tok {
		t.Fatalf("decoded token: %+v %v", got, err)
	}
	// A CJK name, no photo.
	cjk, err := RenderBadge(fonts(t), Badge{Meeting: "SG13", Name: "王小明", Organisation: "中华人民共和国工业和信息化部", Country: "中国", Number: 1, Code: code})
	if err != nil {
		t.Fatal(err)
	}
	if text := pdftest.Text(t, cjk); !strings.Contains(text, "王小明") || !strings.Contains(text, "中国") {
		t.Errorf("CJK badge:\n%s", text)
	}
}

// Badges and confirmations in Arabic and Cyrillic read back as written: Arabic shaped, its words
// in logical order, Latin inside it as it is.
func TestArabicAndCyrillicReadBack(t *testing.T) {
	code, _, _ := signed(t, domain.BadgeToken)
	reads := func(t *testing.T, pdf []byte, texts ...string) {
		t.Helper()
		got := pdftest.Words(pdftest.ReadingText(t, pdf))
		for _, s := range texts {
			if !pdftest.ContainsWords(got, pdftest.Words(s)) {
				t.Errorf("the PDF does not read %q:\n%s", s, strings.Join(got, " "))
			}
		}
		for _, r := range pdftest.ReadingText(t, pdf) {
			if r >= 0xFB50 && r <= 0xFEFE || r >= 0xE000 && r <= 0xF8FF {
				t.Fatalf("the text has %U", r)
			}
		}
	}
	for _, b := range []Badge{
		{Meeting: "اجتماعات فرق العمل للجنة الدراسات 13، جنيف", Name: "محمد عبد الله", Organisation: "هيئة تنظيم الاتصالات والحكومة الرقمية",
			Country: "الإمارات العربية المتحدة", Number: 1, Code: code},
		{Meeting: "Собрания рабочих групп ИК13, Женева", Name: "Мария Иванова", Organisation: "Министерство цифрового развития",
			Country: "Российская Федерация", Number: 3, Code: code},
	} {
		pdf, err := RenderBadge(fonts(t), b)
		if err != nil {
			t.Fatal(err)
		}
		reads(t, pdf, b.Meeting, b.Name, b.Organisation, b.Country)
		if codes := pdftest.QRCodes(t, pdf); len(codes) != 1 || codes[0] != code {
			t.Errorf("%s: QR codes %q", b.Name, codes)
		}
	}
	c := Confirmation{
		Title: "تأكيد التسجيل",
		Rows: [][2]string{{"المرجع", "SG13-WP-2025-07/R04242"}, {"الاسم", "MULLER-NUNEZ Jose"}, {"المنظمة", "هيئة تنظيم الاتصالات"},
			{"الاجتماع", "اجتماعات فرق العمل 1/13 و2/13"}, {"التواريخ", "25 يوليو 2025"}},
		DeskHeading: "استلام الشارة",
		Desk:        []string{"مدخل مبنى مونبريان", "الجمعة 25 يوليو 2025، ابتداءً من الساعة 08:30"},
		Code:        code,
		CodeNote:    "اعرضوا هذا الرمز في مكتب التسجيل مع وثيقة هوية تحمل صورة.",
	}
	pdf, err := RenderConfirmation(fonts(t), c)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{c.Title, c.DeskHeading, c.CodeNote}
	for _, r := range c.Rows {
		texts = append(texts, r[0], r[1])
	}
	reads(t, pdf, append(texts, c.Desk...)...)
	if codes := pdftest.QRCodes(t, pdf); len(codes) != 1 || codes[0] != code {
		t.Errorf("confirmation: QR codes %q", codes)
	}
}

func BenchmarkBadge(b *testing.B) {
	f := fonts(b)
	pub, priv, _ := ed25519.GenerateKey(nil)
	_ = pub
	tok := domain.Token{Kind: domain.BadgeToken, Key: 1, ID: 77, Registration: 4242, Meeting: 3, Mode: domain.InPerson, Serial: 1,
		ValidFrom: time.Now(), ValidUntil: time.Now().Add(time.Hour)}
	img := image.NewRGBA(image.Rect(0, 0, 300, 400))
	var pb bytes.Buffer
	_ = jpeg.Encode(&pb, img, nil)
	badge := Badge{Meeting: "ITU-T SG13", Name: "Zoë Ångström", Organisation: "Example Networks Ltd.", Country: "Switzerland",
		Photo: pb.Bytes(), Number: 1, Code: tok.Sign(priv)}
	b.ResetTimer()
	for b.Loop() {
		if _, err := RenderBadge(f, badge); err != nil {
			b.Fatal(err)
		}
	}
}
