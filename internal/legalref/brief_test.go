package legalref

import (
	"reflect"
	"testing"

	"legists/internal/brief"
)

// OfSections keeps its answers: a second call for the same texts returns
// the same answer as a fresh computation; changed texts get theirs.
func TestOfSectionsMemo(t *testing.T) {
	sections := []brief.Section{
		{Paragraphs: []brief.Paragraph{{Text: "The Competition Act 1998 applies."}, {Text: "Under that Act, section 2 bites."}}},
		{Paragraphs: []brief.Paragraph{{Text: "Article 101 TFEU is engaged."}}},
	}
	first := OfSections(sections)
	if !reflect.DeepEqual(first, ofSections(sections)) {
		t.Fatal("the first answer differs from a fresh computation")
	}
	if len(first[0][0]) == 0 || len(first[1][0]) == 0 {
		t.Fatalf("no references found: %+v", first)
	}
	if again := OfSections(sections); !reflect.DeepEqual(again, first) {
		t.Error("the kept answer differs")
	}
	// The same texts split differently are another brief.
	moved := []brief.Section{{Paragraphs: append(append([]brief.Paragraph{}, sections[0].Paragraphs...), sections[1].Paragraphs...)}}
	if got := OfSections(moved); len(got) != 1 || len(got[0]) != 3 {
		t.Errorf("regrouped sections: %d sections", len(got))
	}
	changed := []brief.Section{{Paragraphs: []brief.Paragraph{{Text: "Nothing legal here."}}}}
	if got := OfSections(changed); len(got[0][0]) != 0 {
		t.Errorf("changed text: %+v", got)
	}
}
