package site_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// pageForms reads every form of path that posts urlencoded fields, with the values the page
// gives them, keyed by action and data-testid.
func pageForms(t *testing.T, b *browser, path string) map[string]url.Values {
	t.Helper()
	p := b.get(path)
	wantStatus(t, p, http.StatusOK)
	out := map[string]url.Values{}
	p.doc(t).Find(`form[method="post"]`).Each(func(_ int, f *goquery.Selection) {
		action := f.AttrOr("action", path)
		if f.AttrOr("enctype", "") == "multipart/form-data" || action == "/logout" || action == "/language" {
			return
		}
		vals := fieldValues(f, true)
		out[action+"#"+f.AttrOr("data-testid", "")] = vals
	})
	return out
}

var (
	rowField  = regexp.MustCompile(`^([a-z]+)-(\d+)-(.+)$`)
	dayValue  = regexp.MustCompile(`^\d{4}-\d\d-\d\d$`)
	timeValue = regexp.MustCompile(`^\d\d:\d\d$`)
)

// setEach sets every field whose name and value match to value.
func setEach(v url.Values, match func(name, value string) bool, value string) {
	for k, vs := range v {
		if len(vs) == 1 && match(k, vs[0]) {
			v.Set(k, value)
		}
	}
}

// isNumber is a number a person types (not a row's id, the form's version or its row count).
func isNumber(name, value string) bool {
	_, err := strconv.Atoi(value)
	return err == nil && !strings.HasSuffix(name, "-id") && name != "version" && !strings.HasSuffix(name, "-rows")
}

// formMutations change a form as a hand-made request may: rows repeated or swapped, numbers and
// dates out of any range, tampered row counts and ids, every field empty.
var formMutations = map[string]func(v url.Values){
	"row 1 a copy of row 0": func(v url.Values) {
		for k := range v {
			if m := rowField.FindStringSubmatch(k); m != nil && m[2] == "1" && m[3] != "id" {
				v[k] = v[m[1]+"-0-"+m[3]]
			}
		}
	},
	"rows 0 and 1 swapped": func(v url.Values) {
		for k := range v {
			if m := rowField.FindStringSubmatch(k); m != nil && m[2] == "0" && m[3] != "id" {
				if o := m[1] + "-1-" + m[3]; v.Has(o) {
					v[k], v[o] = v[o], v[k]
				}
			}
		}
	},
	"huge numbers":     func(v url.Values) { setEach(v, isNumber, "99999999999999999999") },
	"negative numbers": func(v url.Values) { setEach(v, isNumber, "-3") },
	"no such day": func(v url.Values) {
		setEach(v, func(_, s string) bool { return dayValue.MatchString(s) }, "2025-02-30")
	},
	"the last day": func(v url.Values) {
		setEach(v, func(_, s string) bool { return dayValue.MatchString(s) }, "9999-12-31")
	},
	"no such time": func(v url.Values) { setEach(v, func(_, s string) bool { return timeValue.MatchString(s) }, "25:61") },
	"huge row count": func(v url.Values) {
		setEach(v, func(k, _ string) bool { return strings.HasSuffix(k, "-rows") }, "100000000")
	},
	"negative row count": func(v url.Values) {
		setEach(v, func(k, _ string) bool { return strings.HasSuffix(k, "-rows") }, "-1")
	},
	"ids of nothing": func(v url.Values) {
		setEach(v, func(k, s string) bool {
			m := rowField.FindStringSubmatch(k)
			return m != nil && m[3] == "id" && s != "" && s != "0"
		}, "999999999")
	},
	"ids not numbers": func(v url.Values) {
		setEach(v, func(k, _ string) bool {
			m := rowField.FindStringSubmatch(k)
			return m != nil && (m[3] == "id" || m[3] == "wp")
		}, "abc")
	},
	"every field empty": func(v url.Values) {
		setEach(v, func(k, _ string) bool { return k != "version" && !strings.HasSuffix(k, "-rows") }, "")
	},
}

// Every form a delegate, a focal point and the secretariat are shown, sent as a hand-made
// request may send it, gets an answer, never a server error: among them a study group that is
// not in the list (it was a 500).
func TestHandMadeFormsAreNoFault(t *testing.T) {
	t.Parallel()
	fx := newListsFixture(t)
	ctx := context.Background()
	meeting := "/secretariat/meetings/" + strconv.FormatInt(fx.demo, 10)
	var sg, reg int64
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT study_group_id FROM meetings WHERE id = $1`, fx.demo).Scan(&sg); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, fx.as(delegateSM).post("/meetings/"+fx.demoSlug+"/register", url.Values{"mode": {"in_person"}, "list_consent": {"on"}}), http.StatusSeeOther)
	if err := fx.ts.db.Pool.QueryRow(ctx, `SELECT max(id) FROM registrations WHERE account_id = $1`, fx.account(delegateSM).ID).Scan(&reg); err != nil {
		t.Fatal(err)
	}
	// In this order: the secretariat's forms include removing the focal point.
	pages := []struct{ who, path string }{
		{delegateSM, "/me"}, {delegateSM, "/me/account"}, {delegateSM, fmt.Sprintf("/registrations/%d/edit", reg)},
		{delegateSM, fmt.Sprintf("/registrations/%d/visa", reg)}, {delegateSM, fmt.Sprintf("/registrations/%d/colocated", reg)},
		{focalSM, "/focal"}, {focalSM, "/focal/register"}, {focalSM, "/focal/members"},
		{secretariat, "/secretariat/meetings/new"}, {secretariat, meeting}, {secretariat, meeting + "/details"},
		{secretariat, meeting + "/deadlines"}, {secretariat, meeting + "/sessions"}, {secretariat, meeting + "/desk"},
		{secretariat, meeting + "/colocated"}, {secretariat, meeting + "/agenda"}, {secretariat, meeting + "/work-items"},
		{secretariat, meeting + "/check-in-lists"}, {secretariat, meeting + "/desk-staff"}, {secretariat, meeting + "/devices"},
		{secretariat, meeting + "/letter"}, {secretariat, fmt.Sprintf("/secretariat/study-groups/%d/letter", sg)},
		{secretariat, meeting + "/visas"}, {secretariat, meeting + "/registrations"},
		{secretariat, meeting + "/registrations/new?account=" + strconv.FormatInt(fx.account(delegateSM).ID, 10)},
		{secretariat, "/secretariat/mail"}, {secretariat, "/secretariat/representations"},
		{secretariat, fmt.Sprintf("/secretariat/study-groups/%d", sg)}, {secretariat, "/secretariat/organisations/new"},
		{secretariat, "/secretariat/organisations/" + strconv.FormatInt(fx.sm, 10)},
	}
	sent := 0
	for _, pg := range pages {
		b := fx.as(pg.who)
		for name, mutate := range formMutations {
			// Read again each time: a save moves the section's version on.
			for key, vals := range pageForms(t, b, pg.path) {
				v := url.Values{}
				for k, vs := range vals {
					v[k] = append([]string(nil), vs...)
				}
				mutate(v)
				action, _, _ := strings.Cut(key, "#")
				if p := b.post(action, v); p.StatusCode >= 500 {
					t.Errorf("POST %s (the form %s of %s, %s): %d", action, key, pg.path, name, p.StatusCode)
				}
				sent++
			}
		}
	}
	// The study group not in the list is refused beside its field.
	sec := fx.as(secretariat)
	vals := formValues(t, sec.get(meeting+"/details").doc(t), `form[data-testid="meeting-form"]`)
	vals.Set("study_group_id", "999999")
	p := sec.post(meeting+"/details", vals)
	wantStatus(t, p, http.StatusUnprocessableEntity)
	if got := text(testid(p.doc(t), "error-study_group_id")); !strings.Contains(got, "Choose one of the study groups in the list.") {
		t.Errorf("the message beside the study group is %q", got)
	}
	if sent < 500 {
		t.Errorf("only %d forms sent", sent)
	}
	if strings.Contains(fx.ts.log.String(), "internal error") {
		t.Errorf("internal errors were logged:\n%s", grepLines(fx.ts.log.String(), "internal error"))
	}
}
