// Package storetest helps tests and benchmarks of any package that needs a
// store: fresh SQLite and PostgreSQL stores that clean up after themselves,
// and a deterministic generator of realistic briefs.
package storetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"legists/internal/brief"
)

// Firms is the firm directory the generator tags briefs with.
var Firms = []brief.Firm{
	{Name: "Clifford Chance LLP", Aliases: []string{"Clifford Chance"}, PracticeAreas: []string{"Banking & Finance", "Competition"}, Jurisdictions: []string{"United Kingdom", "European Union"}, Website: "https://www.cliffordchance.com"},
	{Name: "Allen & Overy Shearman Sterling LLP", Aliases: []string{"A&O Shearman", "Allen & Overy"}, PracticeAreas: []string{"Capital Markets", "Sanctions"}, Jurisdictions: []string{"United Kingdom", "United States"}},
	{Name: "Freshfields LLP", Aliases: []string{"Freshfields Bruckhaus Deringer"}, PracticeAreas: []string{"Mergers & Acquisitions", "Antitrust"}, Jurisdictions: []string{"Germany", "United Kingdom"}},
	{Name: "Linklaters LLP", Aliases: []string{"Linklaters"}, PracticeAreas: []string{"Energy", "Restructuring"}, Jurisdictions: []string{"United Kingdom"}},
	{Name: "Slaughter and May", PracticeAreas: []string{"Mergers & Acquisitions", "Tax"}, Jurisdictions: []string{"United Kingdom"}},
	{Name: "Skadden, Arps, Slate, Meagher & Flom (UK) LLP", Aliases: []string{"Skadden"}, PracticeAreas: []string{"Litigation", "Mergers & Acquisitions"}, Jurisdictions: []string{"United States", "United Kingdom"}},
	{Name: "Baker McKenzie", PracticeAreas: []string{"Trade", "Sanctions"}, Jurisdictions: []string{"Global"}},
	{Name: "White & Case LLP", PracticeAreas: []string{"Arbitration", "Energy"}, Jurisdictions: []string{"United States", "France"}},
	{Name: "Latham & Watkins LLP", PracticeAreas: []string{"Private Equity", "Data Protection"}, Jurisdictions: []string{"United States"}},
	{Name: "Herbert Smith Freehills Kramer", Aliases: []string{"HSF Kramer"}, PracticeAreas: []string{"Disputes", "Environment"}, Jurisdictions: []string{"Australia", "United Kingdom"}},
	{Name: "Hogan Lovells", PracticeAreas: []string{"Life Sciences", "Data Protection"}, Jurisdictions: []string{"European Union"}},
	{Name: "DLA Piper", PracticeAreas: []string{"Employment", "Real Estate"}, Jurisdictions: []string{"Global"}},
}

// Topics is the taxonomy the generator tags briefs with.
var Topics = []brief.Topic{
	{Name: "Sanctions", Kind: brief.TopicPracticeArea, Keywords: []string{"sanctions", "export controls", "asset freeze"}},
	{Name: "Competition", Kind: brief.TopicPracticeArea, Keywords: []string{"antitrust", "merger control", "cartel"}},
	{Name: "Data Protection", Kind: brief.TopicPracticeArea, Keywords: []string{"GDPR", "privacy", "data breach"}},
	{Name: "Energy", Kind: brief.TopicPracticeArea, Keywords: []string{"oil", "gas", "renewables", "pipeline"}},
	{Name: "Arbitration", Kind: brief.TopicPracticeArea, Keywords: []string{"tribunal", "award", "ICSID"}},
	{Name: "Employment", Kind: brief.TopicPracticeArea, Keywords: []string{"workers", "strike", "union"}},
	{Name: "European Union", Kind: brief.TopicJurisdiction, Keywords: []string{"Brussels", "Commission", "EU"}},
	{Name: "United Kingdom", Kind: brief.TopicJurisdiction, Keywords: []string{"London", "UK", "Westminster"}},
	{Name: "United States", Kind: brief.TopicJurisdiction, Keywords: []string{"Washington", "US", "Congress"}},
}

var (
	actors = []string{"the European Commission", "NATO", "the Treasury", "the Supreme Court", "Brussels", "the Federal Reserve",
		"the Competition and Markets Authority", "OPEC", "the World Trade Organization", "the Bank of England",
		"Congress", "the Kremlin", "Beijing", "the International Court of Justice", "the Financial Conduct Authority"}
	verbs = []string{"announced", "blocked", "approved", "challenged", "proposed", "suspended", "extended", "fined",
		"investigated", "tightened", "relaxed", "postponed", "ratified", "rejected"}
	objects = []string{"new sanctions on Russian oil exports", "the merger of two chip makers", "a landmark data-protection ruling",
		"a windfall tax on energy companies", "tariffs on steel and aluminium", "the accession of Sweden",
		"an antitrust probe into cloud providers", "emergency rules for bank resolution", "a ceasefire agreement",
		"a pipeline project in the North Sea", "restrictions on semiconductor exports", "a class action over privacy breaches",
		"the pension reform", "a climate disclosure regime", "an arbitration award against the state"}
	tails = []string{"on Tuesday", "after weeks of talks", "despite strong opposition", "in a surprise move",
		"citing national security", "following a court challenge", "ahead of the summit", "under pressure from allies"}
	meanings = []string{"Companies face higher compliance costs", "Investors expect volatility in the markets",
		"Regulators signal a tougher stance", "Cross-border deals may be delayed", "Supply chains will need to adapt",
		"Governments gain leverage in negotiations", "Insurers are reviewing their exposure", "Banks must reassess counterparties"}
	legal = []string{"Law firms will see more demand for sanctions advice", "Disputes over force majeure clauses are likely",
		"Merger-control filings will take longer", "Data-protection teams must update their policies",
		"Arbitration claims against the state may follow", "Employment lawyers expect a wave of consultations",
		"Competition counsel will scrutinise the remedies", "Energy contracts will be renegotiated"}
	publishers = []string{"Reuters", "Financial Times", "Bloomberg", "Politico Europe", "The Guardian", "Associated Press", "Law360"}
)

// GenerateBriefs returns n distinct, valid briefs, the same for the same
// seed: three sections of two to four paragraphs, every paragraph cited to
// one of three sources (with archived text), two to three firms from Firms
// and one to two topics from Topics, published (80%), in review or draft,
// dated over the two years before 2025-06-01. Slugs are unique.
func GenerateBriefs(n int, seed uint64) []*brief.Brief {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(l []string) string { return l[rng.IntN(len(l))] }
	end := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	out := make([]*brief.Brief, n)
	for i := range out {
		title := fmt.Sprintf("%s %s %s", capitalize(pick(actors)), pick(verbs), pick(objects))
		b := &brief.Brief{
			Slug:   fmt.Sprintf("%s-%d", brief.Slugify(title), i+1),
			Title:  title,
			Byline: "The Legists Content Team",
			Status: brief.StatusPublished,
		}
		switch r := rng.IntN(10); {
		case r == 0:
			b.Status = brief.StatusDraft
		case r == 1:
			b.Status = brief.StatusReview
		}
		if b.Status == brief.StatusPublished {
			t := end.Add(-time.Duration(rng.Int64N(int64(2 * 365 * 24 * time.Hour)))).Truncate(time.Second)
			b.PublishedAt = &t
		}
		for k := 1; k <= 3; k++ {
			fetched := end.Add(-time.Duration(rng.Int64N(int64(800 * 24 * time.Hour)))).Truncate(time.Second)
			text := fmt.Sprintf("%s %s %s %s. %s. %s.", capitalize(pick(actors)), pick(verbs), pick(objects), pick(tails),
				pick(meanings), pick(legal))
			b.Sources = append(b.Sources, brief.Source{
				N:         k,
				URL:       fmt.Sprintf("https://news.example.com/%d/%d", i+1, k),
				Title:     capitalize(pick(objects)),
				Publisher: pick(publishers),
				FetchedAt: &fetched,
				Text:      text,
			})
		}
		for s, heading := range brief.Headings {
			sec := brief.Section{Heading: heading}
			for range 2 + rng.IntN(3) {
				var sentence string
				switch s {
				case 0:
					sentence = fmt.Sprintf("%s %s %s %s.", capitalize(pick(actors)), pick(verbs), pick(objects), pick(tails))
				case 1:
					sentence = fmt.Sprintf("%s, as %s %s %s.", pick(meanings), pick(actors), pick(verbs), pick(objects))
				default:
					sentence = pick(legal) + "."
				}
				second := fmt.Sprintf(" %s.", pick(meanings))
				c1, c2 := 1+rng.IntN(3), 1+rng.IntN(3)
				sec.Paragraphs = append(sec.Paragraphs, brief.Paragraph{
					Text: sentence + second,
					Spans: []brief.Span{
						{Start: 0, End: len(sentence), Citations: []int{c1}},
						{Start: len(sentence), End: len(sentence) + len(second), Citations: []int{c2}},
					},
				})
			}
			b.Sections = append(b.Sections, sec)
		}
		for _, k := range rng.Perm(len(Firms))[:2+rng.IntN(2)] {
			b.Firms = append(b.Firms, Firms[k].Name)
		}
		for _, k := range rng.Perm(len(Topics))[:1+rng.IntN(2)] {
			b.Topics = append(b.Topics, Topics[k].Name)
		}
		out[i] = b
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
