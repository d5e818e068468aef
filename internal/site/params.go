package site

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"plenary/internal/domain"
)

func urlParam(r *http.Request, name string) string { return chi.URLParam(r, name) }

// idParam reads a numeric id from the URL; anything else is a 404.
func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, domain.Errorf(domain.NotFound, "error.not_found")
	}
	return id, nil
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
