package domain

import (
	"strings"
	"testing"
	"time"
)

func TestParseDocRef(t *testing.T) {
	for in, want := range map[string]string{"C12": "C12", "td45": "TD45", "LS3": "LS3", "R1": "R1"} {
		typ, n, ok := ParseDocRef(in)
		if !ok || DocRef(typ, n) != want {
			t.Errorf("ParseDocRef(%q) = %s %d %v", in, typ, n, ok)
		}
	}
	for _, in := range []string{"", "C", "C0", "C01", "X1", "C-1", "C+1", "C1x", "TD 4", "12"} {
		if _, _, ok := ParseDocRef(in); ok {
			t.Errorf("ParseDocRef(%q) accepted", in)
		}
	}
	if got := DocLabel("SG13", TemporaryDocument, 45, "WP1"); got != "SG13-TD45/WP1" {
		t.Errorf("label = %s", got)
	}
}

func TestCheckFileSniffsTheContent(t *testing.T) {
	const max = 100
	ole := string([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	cases := []struct {
		name, head string
		size       int64
		want       string
	}{
		{"a.pdf", "%PDF-1.7 …", 10, ""},
		{"A.PDF", "%PDF-1.4", 8, ""},
		{"a.docx", "PK\x03\x04…", 10, ""},
		{"a.pptx", "PK\x03\x04…", 10, ""},
		{"a.ods", "PK\x03\x04…", 10, ""},
		{"a.doc", ole, 8, ""},
		{"a.xls", ole, 8, ""},
		{"a.txt", "hello\r\n\tworld 中文", 22, ""},
		{"a.txt", "\xEF\xBB\xBFwith a BOM", 14, ""},
		{"a.txt", "cut in the middle \xE4\xB8", max, ""},
		{"a.txt", "ends cut \xE4\xB8", 11, "error.doc_file_mismatch"},
		{"a.txt", "nul\x00byte", 8, "error.doc_file_mismatch"},
		{"a.txt", "\xFF\xFE", 2, "error.doc_file_mismatch"},
		{"a.pdf", "PK\x03\x04", 4, "error.doc_file_mismatch"},
		{"a.docx", "%PDF-", 5, "error.doc_file_mismatch"},
		{"a.doc", "PK\x03\x04", 4, "error.doc_file_mismatch"},
		{"a.pdf", "", 0, "error.doc_file_empty"},
		{"a.pdf", "%PDF-", max + 1, "error.doc_file_too_large"},
		{"a.exe", "MZ", 2, "error.doc_file_type"},
		{"noextension", "%PDF-", 5, "error.doc_file_type"},
		{"", "%PDF-", 5, "error.doc_file_required"},
	}
	for _, c := range cases {
		err := CheckFile(c.name, c.size, max, []byte(c.head))
		got := ""
		if e, ok := AsError(err); ok {
			got = e.Fields["file"]
		}
		if got != c.want {
			t.Errorf("CheckFile(%q, %q) = %q, want %q", c.name, c.head, got, c.want)
		}
	}
}

func TestCleanFileName(t *testing.T) {
	for in, want := range map[string]string{
		`C:\fakepath\c12.docx`:   "c12.docx",
		"/tmp/x/Y.CNAO.pdf":      "Y.CNAO.pdf",
		" a\x00b\nc\".pdf ":      "abc.pdf",
		"文稿.docx":                "文稿.docx",
		strings.Repeat("é", 300): strings.Repeat("é", 200),
		// Bidirectional controls and other format characters (the name is sent back in
		// downloads): "Invoice\u202Efdp.exe" shows as "Invoiceexe.pdf".
		"Invoice\u202Efdp.exe":                           "Invoicefdp.exe",
		"\u202Bc\u202Ad\u202Ce\u202D.pdf":                "cde.pdf",
		"a\u2066b\u2067c\u2068d\u2069.docx":              "abcd.docx",
		"\u200Eleft\u200Fright\u061Cmark.pdf":            "leftrightmark.pdf",
		"zero\u200Bwidth\u200Cnon\u200Djoiner\u2060.txt": "zerowidthnonjoiner.txt",
		"\uFEFFbom.pdf":                                  "bom.pdf",
		"soft\u00ADhyphen.pdf":                           "softhyphen.pdf",
		"وثيقة.pdf":                                      "وثيقة.pdf",
	} {
		if got := CleanFileName(in); got != want {
			t.Errorf("CleanFileName(%q) = %q, want %q", in, got, want)
		}
	}
	long := CleanFileName(strings.Repeat("a", 300) + ".docx")
	if len([]rune(long)) != 200 || !strings.HasSuffix(long, ".docx") {
		t.Errorf("a long name keeps its extension: %q", long)
	}
}

func testMeeting() *MeetingDetail {
	wp1, wp2 := int64(11), int64(12)
	return &MeetingDetail{
		Meeting:        Meeting{ID: 1, StudyGroupID: 13, TimeZone: "Europe/Zurich", FirstDay: time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC), LastDay: time.Date(2025, 7, 25, 0, 0, 0, 0, time.UTC)},
		StudyGroup:     StudyGroup{ID: 13, Code: "SG13", StudyPeriod: "2025-2028"},
		WorkingParties: []WorkingParty{{ID: wp1, Number: 1, Code: "WP1/13"}, {ID: wp2, Number: 2, Code: "WP2/13"}},
		Questions: []Question{{ID: 120, Number: 20, Code: "Q20/13", WorkingPartyID: &wp1}, {ID: 121, Number: 21, Code: "Q21/13", WorkingPartyID: &wp1},
			{ID: 117, Number: 17, Code: "Q17/13", WorkingPartyID: &wp2}},
		Overrides: map[DeadlineKind]time.Time{Contributions: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)},
	}
}

func TestParseQuestions(t *testing.T) {
	m := testMeeting()
	ids, bad := ParseQuestions(m, "Q20/13, q21;17  20")
	if bad != "" || len(ids) != 3 || ids[0] != 120 || ids[1] != 121 || ids[2] != 117 {
		t.Errorf("ParseQuestions = %v %q", ids, bad)
	}
	for in, want := range map[string]string{"Q99/13": "Q99/13", "Q20/12": "Q20/12", "Q20/13, x": "x"} {
		if _, bad := ParseQuestions(m, in); bad != want {
			t.Errorf("ParseQuestions(%q) names %q, want %q", in, bad, want)
		}
	}
}

func TestAccessToDocuments(t *testing.T) {
	org := func(k OrgKind, sgs ...int64) *Organisation {
		return &Organisation{ID: 7, Kind: k, StudyGroupIDs: sgs}
	}
	delegate := Actor{ID: 1, OrganisationID: 7}
	focal := Actor{ID: 2, OrganisationID: 7, Grants: []Grant{FocalPointGrant(7)}}
	cases := []struct {
		name   string
		a      Actor
		m      Membership
		read   bool
		reason string
	}{
		{"visitor", Visitor, Membership{}, false, "doc.access_sign_in"},
		{"no organisation", Actor{ID: 1}, Membership{}, false, "doc.access_no_organisation"},
		{"unconfirmed", delegate, Membership{Organisation: org(MemberState)}, false, "doc.access_unconfirmed"},
		{"member state", delegate, Membership{Organisation: org(MemberState), Confirmed: true}, true, ""},
		{"sector member", delegate, Membership{Organisation: org(SectorMember), Confirmed: true}, true, ""},
		{"academia", delegate, Membership{Organisation: org(Academia), Confirmed: true}, true, ""},
		{"observer (Res. 99)", delegate, Membership{Organisation: org(Observer), Confirmed: true}, true, ""},
		{"associate of SG13", delegate, Membership{Organisation: org(Associate, 13), Confirmed: true}, true, ""},
		{"associate of another group", delegate, Membership{Organisation: org(Associate, 17), Confirmed: true}, false, "doc.access_not_member"},
		{"other", delegate, Membership{Organisation: org(OtherOrg), Confirmed: true}, false, "doc.access_not_member"},
		{"focal point", focal, Membership{Organisation: org(SectorMember)}, true, ""},
		{"secretariat", Actor{ID: 3, Grants: []Grant{SecretariatGrant()}}, Membership{}, true, ""},
	}
	for _, c := range cases {
		acc := AccessToDocuments(c.a, c.m, 13)
		if acc.Read != c.read || acc.Submit != c.read || acc.Reason != c.reason {
			t.Errorf("%s: %+v, want read=%v reason=%q", c.name, acc, c.read, c.reason)
		}
	}
}

func TestNewDocumentMarksLateContributions(t *testing.T) {
	m := testMeeting()
	org := &Organisation{ID: 7, Kind: MemberState}
	a := Actor{ID: 1, OrganisationID: 7}
	req := DocumentRequest{Type: Contribution, Title: "T", Sources: []int64{7}, QuestionIDs: []int64{120, 121}}
	for _, c := range []struct {
		now               time.Time
		late, notTransled bool
	}{
		{time.Date(2025, 5, 25, 21, 59, 0, 0, time.UTC), false, false}, // 23:59 in Geneva on the translation deadline
		{time.Date(2025, 5, 25, 22, 0, 0, 0, time.UTC), false, true},
		{time.Date(2025, 7, 1, 22, 0, 0, 0, time.UTC), true, true},
	} {
		d, err := NewDocument(DocumentContext{Actor: a, Membership: Membership{Organisation: org, Confirmed: true}, Meeting: m, Now: c.now}, req, true)
		if err != nil {
			t.Fatal(err)
		}
		if d.Late != c.late || d.NoTranslation != c.notTransled || d.State != DocPosted {
			t.Errorf("%s: late %v no translation %v state %s", c.now, d.Late, d.NoTranslation, d.State)
		}
		if d.WorkingPartyID == nil || *d.WorkingPartyID != 11 {
			t.Errorf("the working party does not follow the Questions: %v", d.WorkingPartyID)
		}
	}
	// A number registered early by the secretariat is flagged when its file comes, not before.
	sec := Actor{ID: 3, Grants: []Grant{SecretariatGrant()}}
	early := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	reg, err := NewDocument(DocumentContext{Actor: sec, Membership: Membership{Organisation: org, Confirmed: true}, Meeting: m, Now: early}, req, false)
	if err != nil || reg.State != DocRegistered || reg.Late || reg.NoTranslation {
		t.Fatalf("registered without a file: %+v %v", reg, err)
	}
	posted, late, err := Revise(sec, AccessToDocuments(sec, Membership{}, 13), m, reg, []int64{7}, time.Date(2025, 7, 2, 8, 0, 0, 0, time.UTC))
	if err != nil || !posted.Late || !posted.NoTranslation || !late || posted.State != DocPosted {
		t.Errorf("first file after both deadlines: late %v no translation %v (file late %v) %v", posted.Late, posted.NoTranslation, late, err)
	}
	// Questions of two working parties leave the working party to the poster.
	req.QuestionIDs = []int64{120, 117}
	d, err := NewDocument(DocumentContext{Actor: a, Membership: Membership{Organisation: org, Confirmed: true}, Meeting: m, Now: time.Now()}, req, true)
	if err != nil || d.WorkingPartyID != nil {
		t.Errorf("two working parties: %v %v", d.WorkingPartyID, err)
	}
	// A member may not post without a file, nor a TD.
	if _, err := NewDocument(DocumentContext{Actor: a, Membership: Membership{Organisation: org, Confirmed: true}, Meeting: m}, req, false); err == nil {
		t.Error("a contribution without file is accepted")
	}
	req.Type = TemporaryDocument
	if _, err := NewDocument(DocumentContext{Actor: a, Membership: Membership{Organisation: org, Confirmed: true}, Meeting: m}, req, true); ErrorCode(err) != Forbidden {
		t.Errorf("a member posts a TD: %v", err)
	}
}
