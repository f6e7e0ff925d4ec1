// Package storetest helps tests and benchmarks of any package that needs a
// store: fresh SQLite and PostgreSQL stores that clean up after themselves,
// and a deterministic generator of realistic briefs.
package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
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

// The vocabulary of generated briefs. Each list is in order of how often
// its entries are drawn: a Zipf-like distribution (see zipf), so that, as in
// real legal news, a few words ("court", "commission", "rules") occur in a
// large share of briefs, most occur in a few percent, and the long tail
// (companies, places, specific instruments) in a handful each.
var (
	actors = []string{"the European Commission", "the government", "the Treasury", "regulators", "the Financial Conduct Authority",
		"the Supreme Court", "the Competition and Markets Authority", "Congress", "the Federal Trade Commission",
		"the Department of Justice", "the Council of the EU", "the Court of Justice", "the European Parliament",
		"the Securities and Exchange Commission", "the Bank of England", "the Federal Reserve", "the Information Commissioner",
		"the World Trade Organization", "the High Court", "the European Central Bank", "the Bundeskartellamt",
		"the Autorité de la concurrence", "Ofcom", "the Court of Appeal", "the Serious Fraud Office", "OFAC",
		"the Office of Financial Sanctions Implementation", "the European Data Protection Board", "the Irish Data Protection Commission",
		"the CNIL", "BaFin", "the Prudential Regulation Authority", "the International Court of Justice", "an ICSID tribunal",
		"the Permanent Court of Arbitration", "the General Court", "the Employment Appeal Tribunal", "the Pensions Regulator",
		"Ofgem", "the Environment Agency", "the UK Supreme Court", "the Delaware Court of Chancery", "the Ninth Circuit",
		"the Second Circuit", "the German Federal Court", "the Paris Court of Appeal", "the Dutch Supreme Court",
		"the Singapore International Commercial Court", "OPEC", "NATO", "the Kremlin", "Beijing", "the Commerce Department",
		"the Bureau of Industry and Security", "the Takeover Panel", "the Insolvency Service", "the Court of Session",
		"the Hong Kong Court of Final Appeal", "the Australian Competition and Consumer Commission", "the Canadian Competition Bureau",
		"the Japan Fair Trade Commission", "the Korea Fair Trade Commission"}
	verbs = []string{"approved", "blocked", "announced", "challenged", "proposed", "fined", "upheld", "rejected", "cleared",
		"opened", "extended", "suspended", "overturned", "published", "investigated", "adopted", "tightened", "delayed",
		"confirmed", "annulled", "relaxed", "referred", "dismissed", "ratified", "postponed", "settled", "enforced",
		"scrapped", "reviewed", "endorsed", "quashed", "expanded", "narrowed", "clarified", "revoked", "stayed"}
	// subjects are what briefs are about: general matters first, specific
	// instruments last.
	subjects = []string{"new rules", "a ruling", "the contract", "a fine", "the investigation", "the reform", "the merger",
		"a settlement", "sanctions", "the appeal", "the takeover", "the regulation", "tariffs", "the judgment", "the guidance",
		"the acquisition", "a class action", "the directive", "a consultation", "the deal", "a cartel case", "the tax rules",
		"an arbitration award", "a data breach", "the pension reform", "privacy rules", "an antitrust probe", "export controls",
		"a windfall tax", "the insolvency proceedings", "an injunction", "the licence", "climate disclosure rules", "the bailout",
		"a state aid decision", "the restructuring plan", "employment rules", "the asset freeze", "steel tariffs", "merger control rules",
		"a patent dispute", "the minimum wage", "the strike", "a trade agreement", "the customs regime", "an energy price cap",
		"the gas pipeline", "a ceasefire agreement", "the oil embargo", "bank capital rules", "the deposit guarantee scheme",
		"a short selling ban", "the listing rules", "a bribery case", "money laundering rules", "the whistleblower regime",
		"a pension scheme", "the carbon border tax", "emissions trading rules", "the renewables auction", "an offshore wind licence",
		"a nuclear plant", "a mining concession", "the lithium contract", "semiconductor exports", "chip subsidies",
		"a cloud contract", "artificial intelligence rules", "the Digital Markets Act", "the Digital Services Act", "the AI Act",
		"the GDPR", "cookie rules", "a facial recognition ban", "the online safety regime", "a copyright claim", "a trademark dispute",
		"a product liability claim", "the drug approval", "a vaccine patent", "the medical device rules", "a food labelling rule",
		"the airline merger", "airport slots", "a rail franchise", "the shipping alliance", "a port concession", "a telecoms licence",
		"spectrum auction rules", "a satellite merger", "the football transfer rules", "a broadcasting licence", "the media merger",
		"a tobacco ban", "a gambling licence", "crypto asset rules", "a stablecoin licence", "a payment services licence",
		"a sovereign debt restructuring", "an investment treaty claim", "the energy charter treaty", "a bilateral investment treaty",
		"a force majeure claim", "a hardship clause", "the non-compete clause", "a zero-hours contract", "gig worker status",
		"a collective agreement", "the works council", "an equal pay claim", "a discrimination claim", "a redundancy programme",
		"a pension deficit", "the defined benefit scheme", "a tax treaty", "the global minimum tax", "a transfer pricing case",
		"a VAT fraud case", "customs duties", "anti-dumping duties", "countervailing duties", "a safeguard measure",
		"the rare earths quota", "an export licence", "a dual-use goods ban", "an import ban", "a forced labour ban",
		"a deforestation rule", "a plastics levy", "a water permit", "a planning permission", "a compulsory purchase order",
		"a leasehold reform", "a landlord licensing scheme", "a building safety claim", "a cladding dispute", "the fisheries deal",
		"farm subsidies", "a fertiliser cartel", "a shipbuilding contract", "a defence procurement", "a space launch licence"}
	// places and sectors qualify a subject.
	places = []string{"Europe", "the United States", "the United Kingdom", "Germany", "France", "China", "Russia", "Brussels",
		"London", "Washington", "Ireland", "the Netherlands", "Italy", "Spain", "Poland", "Japan", "India", "Brazil", "Canada",
		"Australia", "Switzerland", "Sweden", "Norway", "Denmark", "Finland", "Belgium", "Austria", "Portugal", "Greece", "Turkey",
		"Ukraine", "Singapore", "Hong Kong", "South Korea", "Taiwan", "Mexico", "Argentina", "Chile", "Peru", "Colombia",
		"South Africa", "Nigeria", "Kenya", "Egypt", "Saudi Arabia", "the United Arab Emirates", "Qatar", "Israel", "Kazakhstan",
		"Indonesia", "Vietnam", "Malaysia", "Thailand", "the Philippines", "New Zealand", "Luxembourg", "Cyprus", "Malta",
		"Estonia", "Latvia", "Lithuania", "Romania", "Bulgaria", "Hungary", "Slovakia", "Slovenia", "Croatia", "Serbia",
		"Georgia", "Armenia", "Azerbaijan", "Mongolia", "Bangladesh", "Pakistan", "Morocco", "Tunisia", "Ghana", "Ethiopia",
		"Angola", "Mozambique", "Zambia", "Botswana", "Namibia", "Ecuador", "Bolivia", "Paraguay", "Uruguay", "Panama",
		"Costa Rica", "Jamaica", "Iceland", "Greenland", "the North Sea", "the Baltic", "the Gulf", "the Arctic"}
	sectors = []string{"banks", "insurers", "technology companies", "carmakers", "retailers", "asset managers",
		"pharmaceutical companies", "energy companies", "airlines", "telecoms operators", "private equity funds", "utilities",
		"chipmakers", "miners", "shipping lines", "steelmakers", "oil majors", "hedge funds", "payment firms", "crypto exchanges",
		"food producers", "construction groups", "defence contractors", "broadcasters", "universities", "hospitals",
		"landlords", "football clubs", "law firms", "auditors", "pension funds", "software vendors", "farmers", "exporters",
		"importers", "lenders", "borrowers", "tenants", "employers", "trade unions"}
	tails = []string{"on Tuesday", "after months of talks", "despite strong opposition", "in a surprise move",
		"citing national security", "following a court challenge", "ahead of the summit", "under pressure from allies",
		"on Monday", "on Friday", "late on Thursday", "after a public consultation", "in a split decision", "by a narrow majority",
		"with immediate effect", "subject to conditions", "pending an appeal", "after a two-year inquiry", "in a landmark decision",
		"for the first time", "amid political pressure", "after a complaint by rivals", "following a whistleblower report",
		"in a unanimous judgment", "on procedural grounds"}
	// effects are what a development means for those it touches: a
	// sector (or a company) and one of these.
	effects = []string{"face higher compliance costs", "expect volatility in the markets", "may see deals delayed",
		"will need to adapt their supply chains", "gain leverage in negotiations", "are reviewing their exposure",
		"must reassess their counterparties", "are likely to pass costs on to consumers", "may benefit from weaker rivals",
		"must revisit their risk registers", "could see funding costs increase", "must review their contracts",
		"may seek compensation", "face new paperwork at the border", "are tightening their lending terms",
		"fear the cost of compliance", "may shift trade flows to Asia", "are lobbying for a transition period",
		"will report the impact in their accounts", "are considering legal challenges", "welcomed the clarity",
		"warned of job losses", "may delay investment decisions", "expect further guidance this year",
		"must notify the authorities", "could face damages claims", "are seeking exemptions", "must train their staff",
		"may restructure their operations", "expect a long appeal process"}
	legal = []string{"Disputes over force majeure clauses are likely", "Litigators expect follow-on damages claims",
		"Regulatory teams must map the new obligations", "Merger-control filings will take longer",
		"Data-protection teams must update their policies", "In-house counsel should review supplier terms",
		"Arbitration claims against the state may follow", "Employment lawyers expect a wave of consultations",
		"Law firms will see more demand for sanctions advice", "Competition counsel will scrutinise the remedies",
		"Energy contracts will be renegotiated", "Tax advisers will revisit group structures",
		"Restructuring lawyers expect more filings", "Contract lawyers will redraft termination clauses",
		"Trade lawyers expect challenges at the WTO", "Funds will need fresh disclosure documents",
		"Insurers may contest coverage in court", "Pension trustees must seek legal advice",
		"Compliance officers must screen counterparties again", "Appeals are expected on points of law",
		"Boards should document their decisions", "Due diligence will take longer", "Warranties will be negotiated harder",
		"Judicial review proceedings are possible", "Class actions may be filed in the Netherlands",
		"Regulators may open further investigations", "Transitional provisions leave room for argument",
		"Early settlement talks are expected", "The ruling sets a precedent for similar cases",
		"The guidance is not binding but will be influential", "Secondary legislation is still to come",
		"Parties should check their governing law clauses", "Notification thresholds are likely to change",
		"Penalties can reach ten percent of turnover", "Personal liability for directors is at stake",
		"Limitation periods should be monitored", "Privilege questions will arise in the investigation",
		"Cross-border enforcement remains uncertain", "Escrow arrangements may be needed", "Standstill agreements are advisable"}
	affects = []string{"affects", "concerns", "applies to", "hits", "covers", "spares", "exempts", "targets", "benefits",
		"burdens", "reaches", "protects"}
	reactions = []string{"said it would appeal", "declined to comment", "welcomed the decision", "said it was studying the decision",
		"said it would comply", "criticised the move", "said it would respond", "called the decision disappointing",
		"said it had cooperated fully", "denied wrongdoing", "said it expected no material impact", "is considering its options"}
	publishers = []string{"Reuters", "Financial Times", "Bloomberg", "Politico Europe", "The Guardian", "Associated Press", "Law360",
		"Global Competition Review", "Law.com", "The Lawyer", "Legal Business", "Handelsblatt", "Le Monde", "Nikkei Asia"}

	// Company names are made of these parts: thousands of rare names.
	nameHeads = []string{"Al", "Bel", "Cor", "Dra", "El", "Fen", "Gal", "Hal", "Ir", "Jun", "Kar", "Lum", "Mar", "Nor",
		"Or", "Pra", "Quin", "Ros", "Sol", "Tor", "Ul", "Val", "Wes", "Xan", "Yor", "Zen", "Ast", "Bran", "Cas", "Dun"}
	nameMids  = []string{"a", "e", "i", "o", "u", "ar", "en", "il", "or", "us", "an", "ex", "ion", "ant", "ev"}
	nameTails = []string{"tis", "ven", "cor", "dex", "gen", "lux", "mar", "nova", "ra", "tech", "ton", "via", "wood", "za", "tron",
		"bridge", "field", "holm", "stad", "berg"}
	nameKinds = []string{"Holdings", "plc", "AG", "SA", "Group", "Energy", "Capital", "Pharma", "Bank", "Logistics", "Mining",
		"Systems", "Telecom", "Steel", "Foods", "Airlines", "Insurance", "Motors", "Chemicals", "Partners"}

	companies = func() []string {
		var out []string
		for _, h := range nameHeads {
			for _, m := range nameMids {
				for _, t := range nameTails {
					out = append(out, h+m+t)
				}
			}
		}
		// A fixed shuffle, so that frequent names are not alphabetical.
		rng := rand.New(rand.NewPCG(1, 2))
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}()

	zActors, zVerbs, zSubjects, zPlaces, zSectors, zTails = newZipf(len(actors)), newZipf(len(verbs)), newZipf(len(subjects)),
		newZipf(len(places)), newZipf(len(sectors)), newZipf(len(tails))
	zAffects, zReactions                 = newZipf(len(affects)), newZipf(len(reactions))
	zEffects, zLegal, zCompanies, zKinds = newZipf(len(effects)), newZipf(len(legal)), newZipf(len(companies)), newZipf(len(nameKinds))
)

// zipf draws an index in [0, n) with probability proportional to
// 1/(i+3): a Zipf-Mandelbrot law, whose offset keeps the first entries
// from crowding out the rest.
type zipf []float64 // cumulative weights

func newZipf(n int) zipf {
	z := make(zipf, n)
	sum := 0.0
	for i := range z {
		sum += 1 / float64(i+3)
		z[i] = sum
	}
	return z
}

func (z zipf) draw(rng *rand.Rand) int {
	x := rng.Float64() * z[len(z)-1]
	i, _ := slices.BinarySearch(z, x)
	return min(i, len(z)-1)
}

// generator writes the sentences of briefs.
type generator struct {
	rng *rand.Rand
	// keywords are those of the brief's topics: briefs talk about their
	// topics.
	keywords []string
	// The story of the brief: its sentences come back to it.
	actor, subject, firm, place int
}

// newStory draws the actor, subject, company and place of a brief.
func (g *generator) newStory() {
	g.actor, g.subject = zActors.draw(g.rng), zSubjects.draw(g.rng)
	g.firm, g.place = zCompanies.draw(g.rng), zPlaces.draw(g.rng)
}

// again is true for two draws in three: when a sentence returns to the story.
func (g *generator) again() bool { return g.rng.IntN(3) != 0 }

func (g *generator) company() string {
	k := g.firm
	if !g.again() {
		k = zCompanies.draw(g.rng)
	}
	c := companies[k]
	if g.rng.IntN(2) == 0 {
		c += " " + nameKinds[zKinds.draw(g.rng)]
	}
	return c
}

// object is what an actor acts on: a subject, often qualified by a place,
// a sector, a company or one of the brief's topic keywords.
func (g *generator) object() string {
	k := g.subject
	if !g.again() {
		k = zSubjects.draw(g.rng)
	}
	s := subjects[k]
	switch r := g.rng.IntN(10); {
	case r < 2:
		return s + " in " + g.placeName()
	case r < 4:
		return s + " for " + sectors[zSectors.draw(g.rng)]
	case r < 6:
		return s + " involving " + g.company()
	case r < 8 && len(g.keywords) > 0:
		return s + " on " + g.keywords[g.rng.IntN(len(g.keywords))]
	}
	return s
}

func (g *generator) placeName() string {
	if g.again() {
		return places[g.place]
	}
	return places[zPlaces.draw(g.rng)]
}

func (g *generator) actorName() string {
	if g.again() {
		return actors[g.actor]
	}
	return actors[zActors.draw(g.rng)]
}

func (g *generator) event() string {
	return fmt.Sprintf("%s %s %s", capitalize(g.actorName()), verbs[zVerbs.draw(g.rng)], g.object())
}

func (g *generator) tail() string { return tails[zTails.draw(g.rng)] }

// meaning is what the event means for a sector or a company.
func (g *generator) meaning() string {
	who := capitalize(sectors[zSectors.draw(g.rng)])
	if g.rng.IntN(3) == 0 {
		who = g.company()
	}
	return who + " " + effects[zEffects.draw(g.rng)]
}

func (g *generator) legal() string { return legal[zLegal.draw(g.rng)] }

// second is the sentence that follows the first of a paragraph.
func (g *generator) second() string {
	switch g.rng.IntN(5) {
	case 0:
		return g.meaning()
	case 1:
		return fmt.Sprintf("It %s %s in %s", affects[zAffects.draw(g.rng)], sectors[zSectors.draw(g.rng)], g.placeName())
	case 2:
		return fmt.Sprintf("%s %s %s", g.company(), reactions[zReactions.draw(g.rng)], g.tail())
	case 3:
		return fmt.Sprintf("%s %s %s", capitalize(g.actorName()), verbs[zVerbs.draw(g.rng)], subjects[zSubjects.draw(g.rng)])
	}
	return fmt.Sprintf("%s %s", capitalize(sectors[zSectors.draw(g.rng)]), effects[zEffects.draw(g.rng)])
}

// GenerateBriefs returns n distinct, valid briefs, the same for the same
// seed: three sections of two to four paragraphs, every paragraph cited to
// one of three sources (with archived text), two to three firms from Firms
// and one to two topics from Topics, published (80%), in review or draft,
// dated over the two years before 2025-06-01. Slugs are unique. The text
// draws on a vocabulary of some thousands of words with a Zipf-like
// distribution (common legal words in many briefs, company names in few),
// and mentions the keywords of the brief's topics.
func GenerateBriefs(n int, seed uint64) []*brief.Brief {
	out := make([]*brief.Brief, 0, n)
	EachGeneratedBrief(n, seed, func(b *brief.Brief) error {
		out = append(out, b)
		return nil
	})
	return out
}

// EachGeneratedBrief calls fn with the briefs GenerateBriefs(n, seed)
// returns, one at a time and in the same order, without holding them all
// (a million briefs take gigabytes). It stops at fn's first error and
// returns it. The first m briefs of n are those of GenerateBriefs(m, seed).
func EachGeneratedBrief(n int, seed uint64, fn func(*brief.Brief) error) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &generator{rng: rng}
	end := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		var topics []string
		g.keywords = g.keywords[:0]
		for _, k := range rng.Perm(len(Topics))[:1+rng.IntN(2)] {
			topics = append(topics, Topics[k].Name)
			g.keywords = append(g.keywords, Topics[k].Keywords...)
		}
		g.newStory()
		title := g.event()
		b := &brief.Brief{
			Slug:   fmt.Sprintf("%s-%d", brief.Slugify(title), i+1),
			Title:  title,
			Byline: "The Legists Content Team",
			Status: brief.StatusPublished,
			Topics: topics,
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
			text := fmt.Sprintf("%s %s. %s. %s.", g.event(), g.tail(), g.meaning(), g.legal())
			b.Sources = append(b.Sources, brief.Source{
				N:         k,
				URL:       fmt.Sprintf("https://news.example.com/%d/%d", i+1, k),
				Title:     capitalize(g.object()),
				Publisher: publishers[rng.IntN(len(publishers))],
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
					sentence = fmt.Sprintf("%s %s.", g.event(), g.tail())
				case 1:
					sentence = fmt.Sprintf("%s, as %s %s %s.", g.meaning(), g.actorName(), verbs[zVerbs.draw(rng)], g.object())
				default:
					sentence = g.legal() + "."
				}
				second := fmt.Sprintf(" %s.", g.second())
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
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
