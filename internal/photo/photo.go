// Package photo reads an uploaded passport-style photo and writes the picture Plenary keeps: the
// file's type and dimensions checked from its header before anything is decoded (domain's
// limits), turned upright as its EXIF orientation says, cut to 3:4 about its centre, reduced to
// at most domain.PhotoWidth × PhotoHeight and encoded again as a JPEG, so that nothing of the
// original file (EXIF, GPS position, camera, comments) is kept.
package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"net/http"

	"plenary/internal/domain"
)

// Picture is the photo as kept.
type Picture struct {
	JPEG          []byte
	Width, Height int
}

func refuse(key string) error { return domain.FieldErrors(map[string]string{domain.FieldPhoto: key}) }

// Process checks b (a JPEG or PNG of at most domain.PhotoMaxUpload bytes) and returns the
// picture to keep, or a field error.
func Process(b []byte) (Picture, error) {
	if len(b) > domain.PhotoMaxUpload {
		return Picture{}, refuse("photo.too_large")
	}
	typ := http.DetectContentType(b)
	var decode func([]byte) (image.Image, error)
	var config func([]byte) (image.Config, error)
	switch typ {
	case "image/jpeg":
		decode = func(b []byte) (image.Image, error) { return jpeg.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return jpeg.DecodeConfig(bytes.NewReader(b)) }
	case "image/png":
		decode = func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }
		config = func(b []byte) (image.Config, error) { return png.DecodeConfig(bytes.NewReader(b)) }
	default:
		return Picture{}, refuse("photo.type")
	}
	cfg, err := config(b)
	if err != nil {
		return Picture{}, refuse("photo.type")
	}
	orient := 1
	if typ == "image/jpeg" {
		orient = exifOrientation(b)
	}
	w, h := cfg.Width, cfg.Height
	if orient >= 5 { // turned a quarter: the upright picture is h × w
		w, h = h, w
	}
	if err := domain.CheckPhotoSize(w, h); err != nil {
		return Picture{}, err
	}
	img, err := decode(b)
	if err != nil {
		return Picture{}, refuse("photo.type")
	}
	out := reduce(upright(img, orient))
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, out, &jpeg.Options{Quality: 85}); err != nil {
		return Picture{}, err
	}
	return Picture{JPEG: buf.Bytes(), Width: out.Bounds().Dx(), Height: out.Bounds().Dy()}, nil
}

// upright returns the picture as it is meant to be seen, for EXIF orientation o (1–8).
func upright(src image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return src
	}
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			dst.Set(dx, dy, src.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return dst
}

// reduce cuts the picture to 3:4 about its centre and scales it down (averaging each output
// pixel's area) to at most domain.PhotoWidth × PhotoHeight.
func reduce(src image.Image) *image.RGBA {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	// The largest 3:4 rectangle in the middle.
	cw, ch := w, w*4/3
	if ch > h {
		cw, ch = h*3/4, h
	}
	x0, y0 := b.Min.X+(w-cw)/2, b.Min.Y+(h-ch)/2
	ow, oh := cw, ch
	if ow > domain.PhotoWidth {
		ow, oh = domain.PhotoWidth, domain.PhotoHeight
	}
	dst := image.NewRGBA(image.Rect(0, 0, ow, oh))
	for oy := 0; oy < oh; oy++ {
		sy0, sy1 := y0+oy*ch/oh, y0+(oy+1)*ch/oh
		if sy1 <= sy0 {
			sy1 = sy0 + 1
		}
		for ox := 0; ox < ow; ox++ {
			sx0, sx1 := x0+ox*cw/ow, x0+(ox+1)*cw/ow
			if sx1 <= sx0 {
				sx1 = sx0 + 1
			}
			var r, g, bl, n uint64
			for sy := sy0; sy < sy1; sy++ {
				for sx := sx0; sx < sx1; sx++ {
					cr, cg, cb, _ := src.At(sx, sy).RGBA()
					r, g, bl, n = r+uint64(cr), g+uint64(cg), bl+uint64(cb), n+1
				}
			}
			dst.SetRGBA(ox, oy, color.RGBA{R: uint8(r / n >> 8), G: uint8(g / n >> 8), B: uint8(bl / n >> 8), A: 0xff})
		}
	}
	return dst
}

// exifOrientation reads the Orientation tag (0x0112) of a JPEG's EXIF segment: 1 when there is
// none or it cannot be read.
func exifOrientation(b []byte) int {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(b); {
		if b[i] != 0xFF {
			return 1
		}
		marker := b[i+1]
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image: no EXIF before
			return 1
		}
		size := int(binary.BigEndian.Uint16(b[i+2:]))
		if size < 2 || i+2+size > len(b) {
			return 1
		}
		seg := b[i+4 : i+2+size]
		if marker == 0xE1 && len(seg) > 14 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + size
	}
	return 1
}

func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 1
	}
	n := int(bo.Uint16(t[off:]))
	for k := 0; k < n; k++ {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		if bo.Uint16(t[e:]) == 0x0112 {
			if v := int(bo.Uint16(t[e+8:])); v >= 1 && v <= 8 {
				return v
			}
			return 1
		}
	}
	return 1
}
