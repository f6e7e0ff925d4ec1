package brief

import "encoding/json"

// paragraphJSON is the contract's paragraph shape, {"text", "citations"},
// extended with the spans each marker covers.
type paragraphJSON struct {
	Text      string `json:"text"`
	Citations []int  `json:"citations"`
	Spans     []Span `json:"spans,omitempty"`
}

// MarshalJSON writes {"text", "citations", "spans"}.
func (p Paragraph) MarshalJSON() ([]byte, error) {
	return json.Marshal(paragraphJSON{Text: p.Text, Citations: p.Citations(), Spans: p.Spans})
}

// UnmarshalJSON reads a paragraph. Without spans, the citations are taken
// to cover the whole text, as one marker at its end would.
func (p *Paragraph) UnmarshalJSON(data []byte) error {
	var v paragraphJSON
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	p.Text, p.Spans = v.Text, v.Spans
	if len(p.Spans) == 0 && len(v.Citations) > 0 {
		p.Spans = []Span{{Start: 0, End: len(p.Text), Citations: v.Citations}}
	}
	return nil
}
