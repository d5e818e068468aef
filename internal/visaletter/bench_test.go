package visaletter

import "testing"

func BenchmarkRenderLatin(b *testing.B) {
	f, err := DefaultFonts()
	if err != nil {
		b.Skip(err)
	}
	l := sample("José Müller-Ñúñez")
	for range b.N {
		if _, err := Render(f, l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderCJK(b *testing.B) {
	f, err := DefaultFonts()
	if err != nil {
		b.Skip(err)
	}
	l := sample("李娜")
	for range b.N {
		if _, err := Render(f, l); err != nil {
			b.Fatal(err)
		}
	}
}
