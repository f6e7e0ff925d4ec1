package brief

import (
	"fmt"
	"testing"
)

// TestParseSharesNoInput: the parser reads the caller's bytes in place;
// the brief it returns must not change when the caller reuses them.
func TestParseSharesNoInput(t *testing.T) {
	inputs := [][]byte{benchBrief(), []byte("T  x\n\nWhat just happened?\n\nA. (1)(2) B (3), c.\nsecond  line (2, 2, 1) .\n\nWhat does this mean?\n\nArt. (1) x. Next (2) (3)\n\nHow will this affect the legal sector?\n\nC. (1)\n\nThe  Team\n\nAssessing Firms: #A  B #C\nTopics: #X\nSources:\n(1) T — P — https://x\n(2) Only a title\n(3) https://y\nStay Tuned")}
	for _, name := range []string{"valid-basic.txt", "valid-crlf.txt"} {
		data, err := readFixture(name)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, data)
	}
	for _, data := range inputs {
		b, err := ParseBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		before := fmt.Sprintf("%#v", *b)
		for i := range data {
			data[i] = 'X'
		}
		if after := fmt.Sprintf("%#v", *b); after != before {
			t.Errorf("the brief changed with its input\nbefore %s\nafter  %s", before, after)
		}
	}
}
