package photo

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"plenary/internal/domain"
)

func fieldKey(err error) string {
	e, ok := domain.AsError(err)
	if !ok {
		return ""
	}
	return e.Fields[domain.FieldPhoto]
}

// picture is a w × h picture: red on its left half, blue on its right, white at the top row.
func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{R: 220, A: 255}
			if x >= w/2 {
				c = color.RGBA{B: 220, A: 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// withExif puts an EXIF segment (orientation o, and a camera's "secret" text) after a JPEG's SOI.
func withExif(t *testing.T, j []byte, o uint16, secret string) []byte {
	t.Helper()
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08")
	ifd := make([]byte, 2+12+4)
	binary.BigEndian.PutUint16(ifd, 1)
	binary.BigEndian.PutUint16(ifd[2:], 0x0112)
	binary.BigEndian.PutUint16(ifd[4:], 3) // SHORT
	binary.BigEndian.PutUint32(ifd[6:], 1)
	binary.BigEndian.PutUint16(ifd[10:], o)
	seg := append(append(append([]byte("Exif\x00\x00"), tiff...), ifd...), secret...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, j[:2]...)
	out = append(append(out, app1...), seg...)
	return append(out, j[2:]...)
}

func TestProcessReencodesUprightAndStripsMetadata(t *testing.T) {
	var buf bytes.Buffer
	// A camera's landscape 1200 × 800, which its EXIF says to turn a quarter clockwise (6).
	if err := jpeg.Encode(&buf, picture(1200, 800), nil); err != nil {
		t.Fatal(err)
	}
	in := withExif(t, buf.Bytes(), 6, "GPS 46.2208N 6.1376E Camera-Serial-123")
	if exifOrientation(in) != 6 {
		t.Fatalf("orientation %d, want 6", exifOrientation(in))
	}
	p, err := Process(in)
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != domain.PhotoWidth || p.Height != domain.PhotoHeight {
		t.Errorf("kept %d × %d, want %d × %d", p.Width, p.Height, domain.PhotoWidth, domain.PhotoHeight)
	}
	if bytes.Contains(p.JPEG, []byte("Exif")) || bytes.Contains(p.JPEG, []byte("Camera-Serial")) {
		t.Error("the metadata is still in the kept picture")
	}
	img, err := jpeg.Decode(bytes.NewReader(p.JPEG))
	if err != nil {
		t.Fatal(err)
	}
	// Turned clockwise, the left half (red) is now at the top, the right (blue) at the bottom.
	top, bottom := img.At(300, 50), img.At(300, 750)
	if r, _, b, _ := top.RGBA(); r < b {
		t.Errorf("top %v, want red (the picture upright)", top)
	}
	if r, _, b, _ := bottom.RGBA(); b < r {
		t.Errorf("bottom %v, want blue", bottom)
	}
}

func TestProcessKeepsASmallPictureItsSize(t *testing.T) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture(300, 400)); err != nil {
		t.Fatal(err)
	}
	p, err := Process(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if p.Width != 300 || p.Height != 400 {
		t.Errorf("kept %d × %d, want 300 × 400", p.Width, p.Height)
	}
	if _, err := jpeg.Decode(bytes.NewReader(p.JPEG)); err != nil {
		t.Errorf("the kept PNG is not a JPEG: %v", err)
	}
}

// pngHeader is the start of a PNG claiming w × h pixels, with nothing after its header.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	chunk := append([]byte("IHDR"), ihdr...)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, chunk...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
}

func TestProcessRefuses(t *testing.T) {
	var small bytes.Buffer
	if err := jpeg.Encode(&small, picture(200, 260), nil); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		b    []byte
		want string
	}{
		"text":                {[]byte("hello, this is not a picture at all"), "photo.type"},
		"gif":                 {[]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), "photo.type"},
		"too small":           {small.Bytes(), "photo.too_small"},
		"a bomb's header":     {pngHeader(20000, 20000), "photo.too_many_pixels"},
		"header, no picture":  {pngHeader(600, 800), "photo.type"},
		"over the file limit": {append(pngHeader(600, 800), make([]byte, domain.PhotoMaxUpload)...), "photo.too_large"},
	} {
		if _, err := Process(c.b); fieldKey(err) != c.want {
			t.Errorf("%s: %v, want %s beside the field", name, err, c.want)
		}
	}
}
