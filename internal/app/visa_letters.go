package app

import (
	"context"
	"time"

	"plenary/internal/domain"
	"plenary/internal/i18n"
	"plenary/internal/postgres"
	"plenary/internal/service"
	"plenary/internal/visaletter"
)

// letterWriter writes the visa use cases' letters (service.LetterWriter): the store reads what
// each says, visaletter renders it, with the fonts (read once from the Debian paths, or the
// ones given), the portal's address for the verification URL and the catalogue's words.
type letterWriter struct {
	db      *postgres.DB
	fonts   *visaletter.Fonts
	baseURL string
	cat     *i18n.Catalogue
}

func (w letterWriter) WriteLetters(ctx context.Context, actor domain.Actor, vs []domain.VisaRequest, now time.Time) ([]service.Letter, error) {
	fonts := w.fonts
	if fonts == nil {
		var err error
		if fonts, err = visaletter.DefaultFonts(); err != nil {
			return nil, err
		}
	}
	opts := postgres.LetterOptions{Fonts: fonts, BaseURL: w.baseURL, Words: func(lang string) visaletter.Words { return w.cat.For(lang) }}
	return w.db.WriteLetters(ctx, opts, actor, vs, now)
}
