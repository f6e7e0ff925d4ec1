package draft

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"legists/internal/brief"
	"legists/internal/fidelity"
	"legists/internal/tag"
)

// OpenAIDrafter asks an OpenAI-compatible chat completions endpoint to
// write the brief, then checks every cited sentence against its article
// with the fidelity check. When the check finds errors, the findings are
// sent back to the model for a corrected brief, up to MaxAttempts replies
// in all; a draft that still fails is returned with a *FidelityError.
type OpenAIDrafter struct {
	// URL is the API base ("https://host/v1") or the full chat
	// completions URL (ending in "/chat/completions").
	URL string
	// Model is the model name sent with each request.
	Model string
	// Key is sent as a bearer token; empty sends no Authorization header.
	Key string
	// Client makes the requests; default: one with a 3-minute timeout.
	Client *http.Client
	// Words is the target length (default DefaultWords).
	Words int
	// MaxAttempts bounds the replies asked for (default 2: one round of
	// correction).
	MaxAttempts int
	// Byline, Tagger and NoTags are as for Extractive.
	Byline string
	Tagger *tag.Tagger
	NoTags bool
}

// maxPromptArticle bounds the text of one article in the prompt.
const maxPromptArticle = 16000

// chatMessage is one message of a chat completions request.
type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	Temperature float64       `json:"temperature"`
}

type chatResponse struct {
	Choices []struct {
		Message chatMessage `json:"message"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// Draft implements Drafter.
func (d *OpenAIDrafter) Draft(ctx context.Context, articles []Article) (*brief.Brief, error) {
	if err := validateArticles(articles); err != nil {
		return nil, err
	}
	if d.URL == "" || d.Model == "" {
		return nil, errors.New("draft: the LLM drafter needs a URL and a model")
	}
	words := d.Words
	if words <= 0 {
		words = DefaultWords
	}
	attempts := d.MaxAttempts
	if attempts <= 0 {
		attempts = 2
	}
	sources := sourceTexts(articles)
	msgs := []chatMessage{
		{Role: "system", Content: systemPrompt(words)},
		{Role: "user", Content: userPrompt(articles)},
	}
	var b *brief.Brief
	var rep fidelity.Report
	for attempt := 1; attempt <= attempts; attempt++ {
		reply, err := d.complete(ctx, msgs)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, chatMessage{Role: "assistant", Content: reply})
		parsed, perr := ParseReply(reply)
		if perr != nil {
			if attempt == attempts {
				return nil, fmt.Errorf("draft: the model's reply is not a brief: %w", perr)
			}
			msgs = append(msgs, chatMessage{Role: "user", Content: "Your reply could not be read: " + perr.Error() +
				". Write the whole brief again, in exactly the format asked for."})
			continue
		}
		b = parsed
		b.Sources = sourcesOf(articles)
		b.Slug = brief.Slugify(b.Title)
		b.Status = brief.StatusDraft
		rep = fidelity.Check(b, sources)
		if rep.OK || attempt == attempts {
			break
		}
		msgs = append(msgs, chatMessage{Role: "user", Content: feedback(rep)})
	}
	b.Byline = d.Byline
	if b.Byline == "" {
		b.Byline = DefaultByline
	}
	if b.Firms == nil {
		b.Firms = []string{}
	}
	if b.Topics == nil {
		b.Topics = []string{}
	}
	if !d.NoTags {
		tagBrief(b, d.Tagger, sources)
	}
	if !rep.OK {
		return b, &FidelityError{Report: rep}
	}
	return b, nil
}

// complete sends one chat completions request and returns the reply.
func (d *OpenAIDrafter) complete(ctx context.Context, msgs []chatMessage) (string, error) {
	body, err := json.Marshal(chatRequest{Model: d.Model, Messages: msgs, Temperature: 0.2})
	if err != nil {
		return "", err
	}
	url := strings.TrimRight(d.URL, "/")
	if !strings.HasSuffix(url, "/chat/completions") {
		url += "/chat/completions"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("draft: LLM request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if d.Key != "" {
		req.Header.Set("Authorization", "Bearer "+d.Key)
	}
	client := d.Client
	if client == nil {
		client = &http.Client{Timeout: 3 * time.Minute}
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("draft: LLM request: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return "", fmt.Errorf("draft: LLM response: %w", err)
	}
	var cr chatResponse
	jerr := json.Unmarshal(data, &cr)
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(data))
		if jerr == nil && cr.Error != nil && cr.Error.Message != "" {
			msg = cr.Error.Message
		}
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		return "", fmt.Errorf("draft: LLM endpoint answered %s: %s", resp.Status, msg)
	}
	if jerr != nil {
		return "", fmt.Errorf("draft: LLM response is not chat completions JSON: %w", jerr)
	}
	if len(cr.Choices) == 0 || strings.TrimSpace(cr.Choices[0].Message.Content) == "" {
		return "", errors.New("draft: LLM response has no message")
	}
	return cr.Choices[0].Message.Content, nil
}

func systemPrompt(words int) string {
	return fmt.Sprintf(`You write briefs for Legists, a legal-news service read by lawyers, in-house counsel and law-firm business-development teams.

Write only from the numbered source articles you are given. Every sentence must end with citation markers in square brackets naming the articles that state it, like [1] or [1, 3]. Do not add any fact, name, number, date or claim that the cited articles do not state, and keep negations as the articles state them. Stay close to the articles' wording. Write about %d words in all.

Answer in exactly this format and nothing else:

TITLE: <a short headline>

What just happened?
<one short paragraph: the event>

What does this mean?
<one or two paragraphs: its context and meaning>

How will this affect the legal sector?
<one or two paragraphs: its legal consequences, such as courts, treaties, sanctions, regulation, liability, arbitration and compliance>`, words)
}

func userPrompt(articles []Article) string {
	var b strings.Builder
	b.WriteString("Source articles:\n")
	for _, a := range articles {
		fmt.Fprintf(&b, "\n[%d] %s", a.N, a.Title)
		if a.Publisher != "" {
			fmt.Fprintf(&b, " — %s", a.Publisher)
		}
		if !a.Published.IsZero() {
			fmt.Fprintf(&b, " (%s)", a.Published.Format("2 January 2006"))
		}
		text := strings.TrimSpace(a.Text)
		if len(text) > maxPromptArticle {
			cut := strings.LastIndexAny(text[:maxPromptArticle], ".\n")
			if cut < maxPromptArticle/2 {
				cut = maxPromptArticle
			}
			text = text[:cut+1]
		}
		b.WriteString("\n")
		b.WriteString(text)
		b.WriteString("\n")
	}
	return b.String()
}

// feedback tells the model what the fidelity check found.
func feedback(rep fidelity.Report) string {
	var b strings.Builder
	b.WriteString("A check of your brief against the source articles found these errors:\n")
	for _, f := range rep.Findings {
		if f.Severity != fidelity.SeverityError {
			continue
		}
		b.WriteString("- ")
		b.WriteString(f.Kind)
		b.WriteString(": ")
		b.WriteString(f.Message)
		if f.Sentence != "" {
			b.WriteString(` In: "`)
			b.WriteString(f.Sentence)
			b.WriteString(`"`)
		}
		b.WriteString("\n")
	}
	b.WriteString("Write the whole brief again in the same format, fixing every error: state only what the cited articles state, and cite each sentence correctly.")
	return b.String()
}

// replyMarker is a citation in a reply: [1], [1, 3] or [1; 3].
var replyMarker = regexp.MustCompile(`\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]`)

// ParseReply reads a brief written in the format the prompt asks for: a
// "TITLE:" line (or a first line that is not a heading), the three
// headings, and paragraphs whose sentences end in [n] markers. It is
// lenient about Markdown decoration (#, **, a trailing colon) and code
// fences.
func ParseReply(reply string) (*brief.Brief, error) {
	b := &brief.Brief{}
	lines := strings.Split(strings.ReplaceAll(reply, "\r\n", "\n"), "\n")
	section := -1
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		text := strings.Join(strings.Fields(strings.Join(para, " ")), " ")
		para = nil
		if section < 0 {
			if b.Title == "" {
				b.Title = undecorate(text)
			}
			return
		}
		b.Sections[section].Paragraphs = append(b.Sections[section].Paragraphs, citedParagraph(text))
	}
	for _, ln := range lines {
		t := strings.TrimSpace(ln)
		if strings.HasPrefix(t, "```") {
			continue
		}
		if t == "" {
			flush()
			continue
		}
		plain := undecorate(t)
		if k := headingOf(plain); k >= 0 {
			flush()
			if k != len(b.Sections) {
				return nil, fmt.Errorf("heading %q out of order: want %q", plain, brief.Headings[min(len(b.Sections), 2)])
			}
			b.Sections = append(b.Sections, brief.Section{Heading: brief.Headings[k]})
			section = k
			continue
		}
		if rest, ok := cutPrefixFold(plain, "title:"); ok && section < 0 {
			flush()
			b.Title = strings.TrimSpace(undecorate(rest))
			continue
		}
		para = append(para, t)
	}
	flush()
	if strings.TrimSpace(b.Title) == "" {
		return nil, errors.New("no title")
	}
	if len(b.Sections) != 3 {
		return nil, fmt.Errorf("%d of the three sections", len(b.Sections))
	}
	for _, s := range b.Sections {
		if len(s.Paragraphs) == 0 {
			return nil, fmt.Errorf("section %q is empty", s.Heading)
		}
	}
	return b, nil
}

// undecorate strips Markdown heading and emphasis marks.
func undecorate(s string) string {
	s = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), "#"))
	s = strings.Trim(s, "*_ ")
	return strings.TrimSpace(s)
}

func headingOf(s string) int {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), ":"))
	for k, h := range brief.Headings {
		if strings.EqualFold(s, h) || strings.EqualFold(s+"?", h) {
			return k
		}
	}
	return -1
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// citedParagraph removes the [n] markers of text and records the span
// each covers: the text since the previous marker. Punctuation right after
// a marker ("… deal [2].") moves before it; chained markers ("[1][2]") cite
// the same span.
func citedParagraph(text string) brief.Paragraph {
	var p brief.Paragraph
	var out strings.Builder
	pos := 0
	spanStart := 0
	for _, m := range replyMarker.FindAllStringSubmatchIndex(text, -1) {
		seg := text[pos:m[0]]
		var nums []int
		for _, f := range strings.FieldsFunc(text[m[2]:m[3]], func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			if n, err := strconv.Atoi(f); err == nil && n > 0 {
				nums = append(nums, n)
			}
		}
		end := m[1]
		if strings.TrimSpace(seg) == "" && len(p.Spans) > 0 && p.Spans[len(p.Spans)-1].End == out.Len() {
			// A chained marker: same span.
			last := &p.Spans[len(p.Spans)-1]
			for _, n := range nums {
				if !slices.Contains(last.Citations, n) {
					last.Citations = append(last.Citations, n)
				}
			}
			pos = end
			continue
		}
		cur := strings.TrimRight(out.String()+seg, " ")
		for end < len(text) && strings.ContainsRune(".,;:!?", rune(text[end])) {
			cur += text[end : end+1]
			end++
		}
		out.Reset()
		out.WriteString(cur)
		start := spanStart
		for start < len(cur) && cur[start] == ' ' {
			start++
		}
		if start < len(cur) && len(nums) > 0 {
			p.Spans = append(p.Spans, brief.Span{Start: start, End: len(cur), Citations: nums})
		}
		spanStart = len(cur)
		pos = end
	}
	out.WriteString(text[pos:])
	p.Text = strings.TrimRight(out.String(), " ")
	return p
}
