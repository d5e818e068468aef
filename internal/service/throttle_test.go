package service_test

import (
	"context"
	"testing"
	"time"

	"plenary/internal/service"
)

// TestThrottle: an attempt over a limit is blocked until the oldest failure leaves the window,
// and a success withdraws the failures it recorded.
func TestThrottle(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	th := w.svc.Throttle
	limit := service.LoginLimit{Key: "test:throttle", Max: 1, Window: time.Minute}
	now := w.now
	first, err := th.Begin(ctx, now, limit)
	if err != nil || first.Blocked || len(first.Failures) != 1 {
		t.Fatalf("first attempt: %+v, %v; want counted, not blocked", first, err)
	}
	second, err := th.Begin(ctx, now.Add(time.Second), limit)
	if err != nil || !second.Blocked || second.Key != limit.Key || !second.Until.Equal(now.Add(time.Minute).Truncate(time.Microsecond)) {
		t.Fatalf("second attempt: %+v, %v; want blocked by %s until %s", second, err, limit.Key, now.Add(time.Minute))
	}
	if n := w.count(`SELECT count(*) FROM login_failures WHERE key = $1`, limit.Key); n != 1 {
		t.Errorf("%d failures recorded, want 1 (a blocked attempt is not counted)", n)
	}
	if err := th.Succeeded(ctx, first, ""); err != nil {
		t.Fatal(err)
	}
	third, err := th.Begin(ctx, now.Add(2*time.Second), limit)
	if err != nil || third.Blocked {
		t.Errorf("after the success: %+v, %v; want counted", third, err)
	}
}
