package app

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"plenary/internal/i18n"
	"plenary/web"
)

// MAIL_LEASE sets the mail worker's lease (default 30 s), and the worker reads the outbox at
// least once a lease, so a dead portal's mail is sent by another about a lease later.
func TestMailLeaseConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	c, err := LoadConfig(env())
	if err != nil || c.MailLease != 30*time.Second {
		t.Fatalf("default: %s %v", c.MailLease, err)
	}
	var out bytes.Buffer
	c.Print(&out)
	if !strings.Contains(out.String(), "MAIL_LEASE=30s\n") {
		t.Errorf("Print does not show the lease:\n%s", out.String())
	}
	for _, bad := range []string{"0", "500ms", "thirty", "2h", "-5s"} {
		if _, err := LoadConfig(env("MAIL_LEASE", bad)); err == nil || !strings.Contains(err.Error(), "MAIL_LEASE") {
			t.Errorf("MAIL_LEASE=%s: %v, want a refusal naming it", bad, err)
		}
	}
	cat, err := i18n.Load(web.Locales())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		lease, poll time.Duration
	}{{2 * time.Second, 2 * time.Second}, {30 * time.Second, 5 * time.Second}} {
		cfg, err := LoadConfig(env("MAIL_LEASE", c.lease.String()))
		if err != nil {
			t.Fatal(err)
		}
		m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler)}
		w, err := m.newMailWorker(cat)
		if err != nil {
			t.Fatal(err)
		}
		if w.Lease != c.lease || w.PollInterval != c.poll {
			t.Errorf("MAIL_LEASE=%s: worker lease %s, poll %s; want %s, %s", c.lease, w.Lease, w.PollInterval, c.lease, c.poll)
		}
	}
}
