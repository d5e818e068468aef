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

// BenchmarkRenderAll100 writes 100 letters in one batch (fonts cut once), in English and in
// Arabic.
func BenchmarkRenderAll100(b *testing.B) {
	f := fonts(b)
	for _, lang := range []string{"en", "ar"} {
		b.Run(lang, func(b *testing.B) {
			letters := make([]Letter, 100)
			for i := range letters {
				letters[i] = sample("MULLER-NUNEZ Jose")
				letters[i].Words = words(b, lang)
			}
			for range b.N {
				if _, err := RenderAll(b.Context(), f, letters); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
