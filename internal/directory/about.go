package directory

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"legists/internal/brief"
)

// Change is a firm's change of name: its name since Since, and the names it
// had before, which stay aliases so that briefs tagged under them resolve.
type Change struct {
	Slug     string   `json:"slug"`
	Name     string   `json:"name"`
	Since    string   `json:"since"` // a date, 2024-05-01
	Formerly []string `json:"formerly"`
	Note     string   `json:"note"`
}

// Info is directory/about.json: the date the directory is accurate to and
// the changes of name it records.
type Info struct {
	AsOf    string   `json:"as_of"` // a date, 2026-11-30
	About   string   `json:"about"`
	Changes []Change `json:"changes"`
}

//go:embed directory/about.json
var aboutJSON []byte

var loadAbout = sync.OnceValues(func() (Info, error) {
	var in Info
	if err := json.Unmarshal(aboutJSON, &in); err != nil {
		return in, fmt.Errorf("directory: about.json: %w", err)
	}
	if _, err := time.Parse(time.DateOnly, in.AsOf); err != nil {
		return in, fmt.Errorf("directory: about.json: as_of %q: want a date such as 2026-11-30", in.AsOf)
	}
	return in, nil
})

// About returns the directory's date and its record of changes of name.
func About() Info {
	in, err := loadAbout()
	if err != nil {
		panic(err) // embedded and checked by the package's tests
	}
	return in
}

// AsOf is the date the directory is accurate to.
func AsOf() time.Time {
	t, _ := time.Parse(time.DateOnly, About().AsOf)
	return t
}

// ChangeOf returns the recorded change of name of the firm with the slug.
func ChangeOf(slug string) (Change, bool) {
	for _, c := range About().Changes {
		if c.Slug == slug {
			return c, true
		}
	}
	return Change{}, false
}

// Lookup finds a firm of the directory by its name or any alias (a former
// name among them), case and surrounding space aside.
func Lookup(name string) (brief.Firm, bool) {
	key := strings.ToLower(strings.TrimSpace(name))
	for _, f := range Firms() {
		if strings.ToLower(f.Name) == key {
			return f, true
		}
		for _, a := range f.Aliases {
			if strings.ToLower(a) == key {
				return f, true
			}
		}
	}
	return brief.Firm{}, false
}
