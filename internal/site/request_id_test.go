package site_test

import (
	"context"
	"net/http"
	"testing"

	"plenary/internal/pgtest"
	"plenary/internal/site"
)

// A client's X-Request-Id reaches the audit trail only behind the trusted proxy; from anyone
// else the portal names the request itself.
func TestClientRequestIDIsTrustedOnlyBehindTheProxy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		proxy bool
		id    string
		kept  bool
	}{
		{"direct", false, "forged-0001", false},
		{"behind the proxy", true, "7f1c2a9e-proxy-id", true},
		{"behind the proxy, not an id", true, "bad id\xff", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newSiteWith(t, pgtest.New(t), afterTheMeeting, func(o *site.Options) { o.TrustProxy = tc.proxy })
			email := "req." + map[bool]string{true: "p", false: "d"}[tc.proxy] + "@example.org"
			p := ts.browser().post("/signup", form("email", email, "password", "a long enough password",
				"given_name", "Ana", "family_name", "Silva", "organisation_id", organisationID(t, ts)), "X-Request-Id", tc.id)
			wantStatus(t, p, http.StatusSeeOther)
			var got string
			err := ts.db.Pool.QueryRow(context.Background(), `SELECT e.request_id FROM audit_events e JOIN accounts a ON a.id = e.entity_id
				WHERE e.action = 'account.create' AND a.email = $1`, email).Scan(&got)
			if err != nil {
				t.Fatal(err)
			}
			if (got == tc.id) != tc.kept {
				t.Errorf("audit request_id = %q with X-Request-Id %q; kept %v, want %v", got, tc.id, got == tc.id, tc.kept)
			}
			if got == "" || p.Header.Get("X-Request-Id") != got {
				t.Errorf("the answer names the request %q, the audit trail %q", p.Header.Get("X-Request-Id"), got)
			}
		})
	}
}
