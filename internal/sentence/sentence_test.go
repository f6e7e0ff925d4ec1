package sentence

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func texts(text string, spans []Span) []string {
	out := make([]string, len(spans))
	for i, s := range spans {
		out[i] = s.Text(text)
	}
	return out
}

// splitCases are written by the team from the shapes of English news prose:
// each entry is the input, split on "|" where the sentences should break.
var splitCases = []string{
	// plain
	"The court ruled on Monday.|It was a surprise.",
	"One sentence only.",
	"No final punctuation",
	"",
	"Is it legal?|Nobody knows!|Lawyers disagree.",
	"Stop!|Now.",
	// titles
	"Mr. Smith went to Washington.|He stayed.",
	"Mrs. Jones and Dr. Patel testified.",
	"Gen. Mark Milley said so.|Others disagreed.",
	"Prof. Alan Dershowitz wrote to Sen. Graham.|He replied.",
	"Gov. Newsom signed it.",
	"Lt. Col. Vindman testified.",
	"Rep. Ocasio-Cortez objected.|The motion failed.",
	"The Rev. Al Sharpton spoke.",
	"Ms. Vestager fined the company.",
	"Messrs. Clifford and Chance founded the firm.",
	// dotted acronyms
	"The U.S. and NATO met.|Russia did not.",
	"Talks with the U.S. will begin on Monday.",
	"Russia will hold talks with the U.S.|The meeting is next week.",
	"Russia will hold talks with the U.S. The meeting is next week.", // joined below
	"U.S. officials said the deal was off.",
	"The U.S. Supreme Court agreed.",
	"The U.K. government appealed.|It lost.",
	"A U.S.-led alliance expanded.",
	"The U.N. Security Council met.",
	"Some firms, e.g. Allen & Overy, merged.",
	"Lawyers, i.e. partners, were paid.",
	"The hearing is at 10 a.m. Friday.",
	"The hearing ended at 5 p.m.|The jury then retired.",
	"He works in the U.S.|She works in the E.U.",
	// initials
	"George W. Bush signed the act.",
	"J. K. Rowling sued.",
	"The case was filed by John F. Kennedy Jr. in court.",
	"Judge Amy C. Barrett wrote the opinion.",
	"See Appendix A.|The figures are there.",
	// companies
	"Apple Inc. said it would appeal.",
	"The deal was signed by Acme Corp.|The shares rose.",
	"He joined Acme Corp.|The shares rose.",
	"Barclays Plc. shares fell.",
	"Smith & Co. advised the buyer.",
	"She left Acme Ltd. in 2019.",
	"The Justice Dept. said it would not appeal.",
	"Skadden, Arps, Slate, Meagher & Flom LLP advised.|Latham did too.",
	// months and dates
	"The law takes effect Jan. 5, 2022.",
	"It was signed on Sept. 11.|Nobody objected.",
	"The trial starts in Feb. 2023 in London.",
	"It ended in Dec.|A new term began.",
	"The vote is on Oct. 3.|Results follow.",
	// numbers and decimals
	"The fine was $2.5bn.|It is a record.",
	"Shares fell 3.5 per cent.|Analysts were surprised.",
	"GDP grew 0.4% in 2021.|Growth slowed.",
	"More than 100,000 troops massed.|The U.S. warned.",
	"Version 2.0 ships today.",
	"It cost 1.2 million euros.",
	"In 2020.|2021 was worse.",
	// references
	"Under Art. 5 the allies must help.",
	"See No. 12 in the list.",
	"The court cited para. 43 of the judgment.",
	"Smith v. Jones was decided in 1990.",
	"The case is Brown vs. Board of Education.",
	"Article 5(1) applies.|Section 87(2)(b) does not.",
	"Regulation (EU) 2016/679 applies.",
	"It is in pp. 12-14 of the report.",
	// quotes
	"\"We cannot accept this,\" he said.|The talks ended.",
	"\"We cannot accept this.\"|The talks ended.",
	"“We cannot accept this.”|The talks ended.",
	"“Is it over?” she asked.",
	"He called it “unacceptable.”|Nobody replied.",
	"She said: ‘No.’|Then she left.",
	"The word was \"second-rate\".|It stung.",
	"He said (in private) that it was over.|Then he left.",
	"It was over (he said so.)|Then he left.",
	// ellipses
	"He paused... and continued.",
	"He paused...|Then he continued.",
	"He paused…|Then he continued.",
	"Wait…what?",
	// lowercase after period
	"The approx. figure is five.",
	"The firm, est. 1890, merged.",
	// paragraphs and headlines
	"The NATO Stalemate\n\n|What just happened?",
	"Headline without stop\n\n|First sentence.|Second.",
	"Line one\nline two continues.",
	"A.\n\n\n|B.",
	// whitespace
	"  Leading and trailing spaces.  |  Next.  ",
	"Tabs\tinside.|\tAnd after.",
	"Double  spaces.|Fine.",
	"Non-breaking\u00a0space.|Thin\u2009space.",
	"CRLF line.\r\n\r\n|Next para.",
	// mixed
	"In recent months, Russia has deployed more than 100,000 troops along the border with Ukraine, and the United States believes these forces could attack the country.|Russian President Vladimir Putin has denied any plans for an invasion.",
	"Next week, Russia will hold talks with the U.S. and NATO.|NATO Secretary-General Jens Stoltenberg said no.",
	"The ECJ ruled in C-311/18.|Schrems II followed.",
	"Twitter Inc. v. Taamneh was argued.|The Court ruled 9-0.",
	"It's the firm's 3rd win.|Its rival's 2nd.",
	"Was it?|Yes.",
	"It was 9.30 a.m. when they met.",
	"Ask the Rt. Hon. member.",
	"They met at No. 10 Downing St.|The PM spoke.",
	"Co-counsel (Mr. Lee) agreed.|Opposing counsel did not.",
	// lists
	"The court set three conditions:|1. File the accounts by May.|2. Pay the fine.|3. Report each quarter.",
	"1) Disclose the fee|2) Notify the client",
	"1.) The claim fails.|2.) The appeal is dismissed.",
	"a. The tenant pays|b. The landlord repairs|c. Both sign",
	"• 4. Costs follow the event|• 5. Interest runs from today",
	"The index rose by 5.|The bank said so.", // a figure, not a list marker
	"Shares rose 3.5 in 2.|Trading slowed.",
	// ellipses
	"The clause reads \"the parties shall . . . cooperate in good faith.\"",
	"The statute says \"no person shall . . . .|The penalty is a fine.",
	"He said it was fine . . . and then he left.",
	// a citation after a quotation
	"The judge called it \"a grave breach [...]\" (para. 41).|The firm appealed.",
	"She wrote that \"the duty is absolute\" (Smith 2019, 12).|Others disagree.",
	// addresses are not sentence ends (missing spaces: TestSplitMissingSpace)
	"Write to jane.doe@example.com for details.",
	"See www.example.Com for the ruling.",
	"It cost 2.5bn.|Nobody objected.",
	// pronoun I, times
	"The tenant and I.|Nobody else signed.",
	"He left the court at 6 P.M.|Mr. Patel then filed the appeal.",
	"At 9 a.m. Mr. Patel filed the appeal.",
	// a list of lines with no punctuation
	"contracts\n|employment\n|data protection",
	"the hearing ended .\n|the court will rule in may .",
	"The ruling covers:\n|- the fine of £2m\n|- the ban on new contracts.",
}

// caseText turns a table entry into its input: a "|" becomes a space unless
// white space already stands beside it.
func caseText(c string) string {
	var b strings.Builder
	for i := 0; i < len(c); i++ {
		if c[i] != '|' {
			b.WriteByte(c[i])
			continue
		}
		if (i > 0 && c[i-1] == '\n') || (i+1 < len(c) && c[i+1] == ' ') {
			continue
		}
		b.WriteByte(' ')
	}
	return b.String()
}

func TestSplitTable(t *testing.T) {
	if len(splitCases) < 60 {
		t.Fatalf("only %d cases", len(splitCases))
	}
	for _, c := range splitCases {
		want := []string{}
		for _, p := range strings.Split(c, "|") {
			if p = strings.TrimFunc(p, unicode.IsSpace); p != "" {
				want = append(want, p)
			}
		}
		text := caseText(c)
		if c == "Russia will hold talks with the U.S. The meeting is next week." {
			want = []string{"Russia will hold talks with the U.S.", "The meeting is next week."}
		}
		got := texts(text, Split(text))
		if !slices.Equal(got, want) {
			t.Errorf("Split(%q)\n got  %q\n want %q", text, got, want)
		}
	}
}

// Scraped articles lose the space after a full stop: "ended.The court".
func TestSplitMissingSpace(t *testing.T) {
	for text, want := range map[string][]string{
		"The hearing ended.The court will rule in May.": {"The hearing ended.", "The court will rule in May."},
		"Revenue hit 4,500.That was a record.":          {"Revenue hit 4,500.", "That was a record."},
		"It was Tuesday.Mr. Lee filed the appeal.":      {"It was Tuesday.", "Mr. Lee filed the appeal."},
		"The U.S.Army base closed.":                     {"The U.S.Army base closed."},
		"Mail Jane.Doe@example.com today.":              {"Mail Jane.Doe@example.com today."},
		"The file is report.Final.pdf here.":            {"The file is report.Final.pdf here."},
	} {
		got := texts(text, Split(text))
		if !slices.Equal(got, want) {
			t.Errorf("Split(%q)\n got  %q\n want %q", text, got, want)
		}
	}
}

func TestWords(t *testing.T) {
	cases := map[string][]string{
		"Russia's dangerous invasion of Russia.":    {"Russia's", "dangerous", "invasion", "of", "Russia"},
		"The U.S.-led alliance":                     {"The", "U.S.", "led", "alliance"},
		"more than 100,000 troops, 2.5 per cent.":   {"more", "than", "100,000", "troops", "2.5", "per", "cent"},
		"$2.5bn fine; COVID-19 second-rate":         {"2.5bn", "fine", "COVID-19", "second-rate"},
		"“Exclude or exclude,” he said — e.g. now.": {"Exclude", "or", "exclude", "he", "said", "e.g.", "now"},
		"Allen & Overy's merger":                    {"Allen", "Overy's", "merger"},
		"end.The":                                   {"end", "The"},
		"états-membres, café":                       {"états-membres", "café"},
		"the states' rights":                        {"the", "states", "rights"},
		"":                                          nil,
	}
	for in, want := range cases {
		got := texts(in, Words(in))
		if len(got) == 0 && len(want) == 0 {
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("Words(%q) = %q, want %q", in, got, want)
		}
	}
}

func checkSpans(t *testing.T, text string, spans []Span) {
	t.Helper()
	covered := make([]bool, len(text))
	prev := 0
	for _, s := range spans {
		if s.Start < prev || s.End <= s.Start || s.End > len(text) {
			t.Fatalf("bad span %v after %d in %q", s, prev, text)
		}
		for i := s.Start; i < s.End; i++ {
			covered[i] = true
		}
		prev = s.End
	}
	for i := 0; i < len(text); {
		r, sz := utf8.DecodeRuneInString(text[i:])
		if !unicode.IsSpace(r) && !covered[i] {
			t.Fatalf("byte %d (%q) not covered in %q: %v", i, r, text, spans)
		}
		i += sz
	}
}

func FuzzSplit(f *testing.F) {
	for _, c := range splitCases {
		f.Add(caseText(c))
	}
	f.Add("\n\n.\n\n")
	f.Add("a. \xff. B")
	f.Fuzz(func(t *testing.T, text string) {
		spans := Split(text)
		checkSpans(t, text, spans)
		for _, s := range spans {
			if s.Start < len(text) {
				r, _ := utf8.DecodeRuneInString(text[s.Start:])
				if unicode.IsSpace(r) {
					t.Fatalf("span %v starts with space in %q", s, text)
				}
			}
		}
		prev := 0
		for _, w := range Words(text) {
			if w.Start < prev || w.End <= w.Start || w.End > len(text) {
				t.Fatalf("bad word %v in %q", w, text)
			}
			prev = w.End
		}
	})
}

func BenchmarkSplit(b *testing.B) {
	var sb strings.Builder
	for _, c := range splitCases {
		sb.WriteString(caseText(c))
		sb.WriteString(" ")
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		Split(text)
	}
}
