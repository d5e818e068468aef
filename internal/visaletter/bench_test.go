package visaletter

import "testing"

func BenchmarkRenderLatin(b *testing.B) {
	f := fonts(b)
	l := sample("José Müller-Ñúñez")
	for range b.N {
		if _, err := Render(f, l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderCJK(b *testing.B) {
	f := fonts(b)
	l := sample("李娜")
	for range b.N {
		if _, err := Render(f, l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderArabic(b *testing.B) {
	f := fonts(b)
	l := sample("MULLER-NUNEZ Jose")
	l.Words = words(b, "ar")
	l.MeetingTitle = "اجتماعات فرق العمل 1/13 و2/13 و3/13 و4/13"
	for range b.N {
		if _, err := Render(f, l); err != nil {
			b.Fatal(err)
		}
	}
}
