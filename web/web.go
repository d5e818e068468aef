// Package web holds what the binary serves besides data: static assets and the message
// catalogues, embedded. The templ components live in web/view.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
)

//go:embed static
var staticFS embed.FS

//go:embed locales
var localesFS embed.FS

//go:embed glossary/*.json
var glossaryFS embed.FS

// Static returns the static assets (app.css …) rooted at their folder.
func Static() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	return sub
}

// Locales returns the message catalogues rooted at their folder.
func Locales() fs.FS {
	sub, err := fs.Sub(localesFS, "locales")
	if err != nil {
		panic(err)
	}
	return sub
}

// Glossary returns the glossaries (one <lang>.json per language) rooted at their folder.
func Glossary() fs.FS {
	sub, err := fs.Sub(glossaryFS, "glossary")
	if err != nil {
		panic(err)
	}
	return sub
}

// AssetVersion is a short hash of the static assets, appended to their URLs so that browsers can
// cache them for a year and still see a new release at once.
var AssetVersion = func() string {
	h := sha256.New()
	_ = fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}()
