package brief

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Format names a text format a brief can be read from and written to.
type Format string

// The two formats.
const (
	FormatHouse   Format = "house"   // the published text format of the seed
	FormatEditing Format = "editing" // Markdown with [n] citations
)

// DetectFormat picks the format from a file name (".md" and ".markdown"
// are the editing format) or, failing that, from the first line: front
// matter "---" or a "# Title" line mean the editing format.
func DetectFormat(name string, data []byte) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown":
		return FormatEditing
	case ".txt":
		return FormatHouse
	}
	first := bytes.TrimSpace(data)
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = bytes.TrimSpace(first[:i])
	}
	if bytes.Equal(first, []byte("---")) || bytes.HasPrefix(first, []byte("# ")) {
		return FormatEditing
	}
	return FormatHouse
}

// ParseFile reads a brief from r in the format DetectFormat gives for name
// and its content. Errors name the file and the line.
func ParseFile(name string, r io.Reader) (*Brief, error) {
	data, err := readLimited(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var b *Brief
	if DetectFormat(name, data) == FormatEditing {
		b, err = ParseMarkdownBytes(data)
	} else {
		b, err = ParseBytes(data)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// Normalize gives empty lists instead of nil so JSON shows [] rather than
// null, as the contract's shapes promise. It returns b.
func (b *Brief) Normalize() *Brief {
	if b.Firms == nil {
		b.Firms = []string{}
	}
	if b.Topics == nil {
		b.Topics = []string{}
	}
	if b.Sources == nil {
		b.Sources = []Source{}
	}
	if b.Sections == nil {
		b.Sections = []Section{}
	}
	return b
}
