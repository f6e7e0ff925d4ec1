package draft

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"legists/internal/brief"
	"legists/internal/fidelity"
)

// goodReply is what a careful model writes for the privacy set.
const goodReply = "```\n**TITLE:** Dutch regulator fines Nordvik app €18 million over children's data\n\n" +
	"## What just happened?\n\n" +
	"The Dutch data protection authority has fined Nordvik €18 million for processing children's personal data without a lawful basis [1].\n\n" +
	"## What does this mean?\n\n" +
	"The regulator found that Nordvik made the profiles of users aged between 13 and 16 public by default between 2021 and 2024. [1] " +
	"The fine is the largest the authority has imposed on a social media company [1][3].\n\n" +
	"## How will this affect the legal sector?\n\n" +
	"Under the General Data Protection Regulation, companies must take particular care when processing the personal data of children [2]. " +
	"Nordvik has six weeks to lodge an appeal with the district court in The Hague. [2]\n```\n"

// badReply changes a figure: the fine was €18 million.
var badReply = strings.Replace(goodReply, "has fined Nordvik €18 million", "has fined Nordvik €28 million", 1)

// fakeLLM is a loopback chat completions endpoint that answers from a
// script and records the requests.
type fakeLLM struct {
	mu      sync.Mutex
	replies []string
	status  int
	reqs    []chatRequest
	auth    []string
	paths   []string
}

func (f *fakeLLM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.reqs = append(f.reqs, req)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.paths = append(f.paths, r.URL.Path)
	if f.status != 0 {
		w.WriteHeader(f.status)
		w.Write([]byte(`{"error": {"message": "the model is overloaded"}}`))
		return
	}
	reply := f.replies[0]
	if len(f.replies) > 1 {
		f.replies = f.replies[1:]
	}
	json.NewEncoder(w).Encode(map[string]any{
		"id": "x", "object": "chat.completion",
		"choices": []map[string]any{{"index": 0, "message": map[string]string{"role": "assistant", "content": reply}, "finish_reason": "stop"}},
	})
}

func newFake(t *testing.T, replies ...string) (*fakeLLM, *OpenAIDrafter) {
	t.Helper()
	f := &fakeLLM{replies: replies}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, &OpenAIDrafter{URL: srv.URL + "/v1", Model: "test-model", Key: "sk-test", Client: srv.Client()}
}

func TestOpenAIDraft(t *testing.T) {
	f, d := newFake(t, goodReply)
	arts := loadSet(t, "privacy")
	b, err := d.Draft(context.Background(), arts)
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	if len(f.reqs) != 1 || f.paths[0] != "/v1/chat/completions" || f.auth[0] != "Bearer sk-test" || f.reqs[0].Model != "test-model" {
		t.Fatalf("requests %d, path %q, auth %q", len(f.reqs), f.paths, f.auth)
	}
	msgs := f.reqs[0].Messages
	if len(msgs) != 2 || msgs[0].Role != "system" || !strings.Contains(msgs[0].Content, "How will this affect the legal sector?") ||
		!strings.Contains(msgs[1].Content, "[1] Dutch regulator fines Nordvik app") || !strings.Contains(msgs[1].Content, "[3] Parents welcome") {
		t.Errorf("prompt: %+v", msgs)
	}
	if b.Title != "Dutch regulator fines Nordvik app €18 million over children's data" || b.Status != brief.StatusDraft || len(b.Sources) != 3 {
		t.Errorf("brief: %q %q %d sources", b.Title, b.Status, len(b.Sources))
	}
	p := b.Sections[1].Paragraphs[0]
	if len(p.Spans) != 2 || !slicesEqual(p.Spans[1].Citations, []int{1, 3}) || !strings.HasSuffix(p.Text[p.Spans[0].Start:p.Spans[0].End], "2024.") {
		t.Errorf("paragraph %+v", p)
	}
	if strings.Contains(brief.Render(b), "[") {
		t.Errorf("markers left in the text:\n%s", brief.Render(b))
	}
	if rep := fidelity.Check(b, sourceTexts(arts)); !rep.OK {
		t.Errorf("fidelity: %+v", rep.Findings)
	}
}

func TestOpenAIDraftRepairsFidelityErrors(t *testing.T) {
	f, d := newFake(t, badReply, goodReply)
	b, err := d.Draft(context.Background(), loadSet(t, "privacy"))
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	if len(f.reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(f.reqs))
	}
	second := f.reqs[1].Messages
	last := second[len(second)-1]
	if len(second) != 4 || second[2].Role != "assistant" || last.Role != "user" || !strings.Contains(last.Content, "number-mismatch") || !strings.Contains(last.Content, "€28 million") {
		t.Errorf("feedback: %+v", second)
	}
	if !strings.Contains(b.Sections[0].Paragraphs[0].Text, "€18 million") {
		t.Errorf("not the corrected draft: %q", b.Sections[0].Paragraphs[0].Text)
	}
}

func TestOpenAIDraftReportsFidelityErrors(t *testing.T) {
	_, d := newFake(t, badReply)
	d.MaxAttempts = 3
	b, err := d.Draft(context.Background(), loadSet(t, "privacy"))
	var fe *FidelityError
	if !errors.As(err, &fe) || b == nil {
		t.Fatalf("err %v, brief %v", err, b != nil)
	}
	if fe.Report.OK || fe.Report.Errors() == 0 || !strings.Contains(err.Error(), "number-mismatch") {
		t.Errorf("report %+v", fe.Report)
	}
}

func TestOpenAIDraftEndpointErrors(t *testing.T) {
	f, d := newFake(t, goodReply)
	f.status = http.StatusServiceUnavailable
	if _, err := d.Draft(context.Background(), loadSet(t, "privacy")); err == nil || !strings.Contains(err.Error(), "overloaded") {
		t.Errorf("503: %v", err)
	}
	_, d = newFake(t, "I cannot help with that.")
	if _, err := d.Draft(context.Background(), loadSet(t, "privacy")); err == nil || !strings.Contains(err.Error(), "not a brief") {
		t.Errorf("prose reply: %v", err)
	}
	d = &OpenAIDrafter{Model: "m"}
	if _, err := d.Draft(context.Background(), loadSet(t, "privacy")); err == nil {
		t.Error("no URL accepted")
	}
}

func TestParseReply(t *testing.T) {
	reply := "Title: Court blocks deal\n\nWhat just happened?:\nThe court blocked the deal [1]. It did so on Monday [1; 2]\n\n" +
		"### What does this mean\nA first sentence. [2][3] A trailing uncited sentence.\n\n" +
		"**How will this affect the legal sector?**\nAppeals follow [ 3 ].\n"
	b, err := ParseReply(reply)
	if err != nil {
		t.Fatal(err)
	}
	if b.Title != "Court blocks deal" || len(b.Sections) != 3 {
		t.Fatalf("%+v", b)
	}
	p0 := b.Sections[0].Paragraphs[0]
	if p0.Text != "The court blocked the deal. It did so on Monday" || len(p0.Spans) != 2 ||
		p0.Text[p0.Spans[0].Start:p0.Spans[0].End] != "The court blocked the deal." ||
		p0.Text[p0.Spans[1].Start:p0.Spans[1].End] != "It did so on Monday" || !slicesEqual(p0.Spans[1].Citations, []int{1, 2}) {
		t.Errorf("section 0: %+v", p0)
	}
	p1 := b.Sections[1].Paragraphs[0]
	if len(p1.Spans) != 1 || !slicesEqual(p1.Spans[0].Citations, []int{2, 3}) || p1.Uncited() != "A trailing uncited sentence." {
		t.Errorf("section 1: %+v", p1)
	}
	for _, bad := range []string{"", "Just prose.", "TITLE: x\n\nWhat does this mean?\nA [1].\n\nWhat just happened?\nB [1].\n\nHow will this affect the legal sector?\nC [1].",
		"TITLE: x\n\nWhat just happened?\n\nWhat does this mean?\nA [1].\n\nHow will this affect the legal sector?\nC [1]."} {
		if _, err := ParseReply(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
