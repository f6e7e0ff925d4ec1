package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"legists/internal/api"
)

// testLaw checks the references on a brief and GET /law/{slug} against the
// demo content: the CJEU brief cites the GDPR.
func testLaw(t *testing.T, e *env) {
	t.Helper()
	const slug = "cjeu-limits-ai-training-on-employee-data"
	code, body, _ := e.call("GET", "/briefs/{slug}", "/briefs/"+slug, "", "", "")
	if code != 200 {
		t.Fatalf("brief: %d", code)
	}
	var b api.Brief
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatal(err)
	}
	var gdpr *api.Reference
	for i, r := range b.References {
		text := b.Sections[r.Section].Paragraphs[r.Paragraph].Text
		if text[r.Start:r.End] != r.Text {
			t.Errorf("reference %q: offsets [%d,%d) give %q", r.Text, r.Start, r.End, text[r.Start:r.End])
		}
		if r.Text == "Article 6(1)(f) GDPR" {
			gdpr = &b.References[i]
		}
	}
	if gdpr == nil {
		t.Fatalf("no Article 6(1)(f) GDPR among %+v", b.References)
	}
	if gdpr.Kind != "provision" || gdpr.Jurisdiction != "eu" || gdpr.Canonical != "Article 6(1)(f) of Regulation (EU) 2016/679" ||
		gdpr.URL != "https://eur-lex.europa.eu/eli/reg/2016/679/oj" || gdpr.Law != "eu-regulation-2016-679" {
		t.Errorf("reference: %+v", *gdpr)
	}

	code, body, _ = e.call("GET", "/law/{slug}", "/law/"+gdpr.Law+"?limit=1", "", "", "")
	if code != 200 {
		t.Fatalf("law: %d %s", code, body)
	}
	var l api.Law
	if err := json.Unmarshal(body, &l); err != nil {
		t.Fatal(err)
	}
	if l.Name != "Regulation (EU) 2016/679" || l.Title != "General Data Protection Regulation" || l.URL != gdpr.URL ||
		l.Cited < 1 || len(l.Briefs) != 1 || !strings.HasSuffix(l.Page, "/law/eu-regulation-2016-679") {
		t.Errorf("law: %+v", l)
	}
	found := false
	for _, p := range l.Pinpoints {
		found = found || p == gdpr.Canonical
	}
	if !found {
		t.Errorf("pinpoints %q lack %q", l.Pinpoints, gdpr.Canonical)
	}
	if code, _, _ := e.call("GET", "/law/{slug}", "/law/no-such-instrument", "", "", ""); code != 404 {
		t.Errorf("unknown instrument: %d", code)
	}
	if code, _, _ := e.call("GET", "/law/{slug}", "/law/"+gdpr.Law+"?cursor=zzz", "", "", ""); code != 400 {
		t.Errorf("bad cursor: %d", code)
	}
}
