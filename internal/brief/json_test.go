package brief

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestParagraphJSON(t *testing.T) {
	b := parseFile(t, "valid-basic.txt")
	data, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"citations":[1,2,3],"spans":[{"start":0,"end":119,"citations":[1,2]}`) {
		t.Errorf("paragraph JSON lacks the contract's citations list: %s", data)
	}
	var back Brief
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, b) {
		t.Errorf("JSON round trip differs")
	}
	// A client that sends only text and citations gets one span.
	var p Paragraph
	if err := json.Unmarshal([]byte(`{"text":"A claim.","citations":[2,3]}`), &p); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Spans, []Span{{Start: 0, End: 8, Citations: []int{2, 3}}}) {
		t.Errorf("spans = %+v", p.Spans)
	}
}
