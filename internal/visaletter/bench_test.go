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
