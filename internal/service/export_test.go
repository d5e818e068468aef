package service

import (
	"context"

	"plenary/internal/domain"
)

// RedeemTogether redeems scans as one batch, as if they had arrived at the same moment
// (Redeem's batches form by themselves under load): the tests' way to put scans in one batch.
func (s *Desk) RedeemTogether(ctx context.Context, a Audit, actor domain.Actor, in []Scan) ([]ScanResult, []error) {
	calls := make([]scanCall, len(in))
	for i, sc := range in {
		c, err := s.prepareScan(ctx, a, actor, sc)
		if err != nil {
			panic(err)
		}
		calls[i] = c
	}
	return s.redeemBatch(ctx, calls)
}
