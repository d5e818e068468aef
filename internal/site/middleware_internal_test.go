package site

import (
	"net/http"
	"testing"
)

// The shared header values are assigned to the header map directly, so their keys must already
// be in the form Header.Get looks for, and each value must not let an append reach the next answer.
func TestSharedHeaderValuesAreCanonicalAndCannotBeAppendedTo(t *testing.T) {
	for k, v := range securityHeaderValues {
		if k != http.CanonicalHeaderKey(k) {
			t.Errorf("%q is not in canonical form (%q)", k, http.CanonicalHeaderKey(k))
		}
		if len(v) != 1 || cap(v) != 1 {
			t.Errorf("%s: value of length %d, capacity %d; want 1 and 1", k, len(v), cap(v))
		}
	}
	if len(hstsValue) != 1 || cap(hstsValue) != 1 {
		t.Errorf("HSTS value of length %d, capacity %d", len(hstsValue), cap(hstsValue))
	}
}
