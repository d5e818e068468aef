package service

import (
	"context"

	"plenary/internal/domain"
)

// Mine lists the documents actor submitted, newest first (at most 200), for their own page;
// none for a visitor.
func (d *Documents) Mine(ctx context.Context, actor domain.Actor) ([]domain.MyDocument, error) {
	if !actor.SignedIn() {
		return nil, nil
	}
	return d.store.DocumentsBy(ctx, actor.ID)
}
