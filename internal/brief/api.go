package brief

// Temporary declarations: parse.go, render.go and markdown.go replace these
// within the hour. The signatures are final.

import (
	"errors"
	"io"
)

var errTODO = errors.New("brief: parser not written yet")

// Parse reads a brief in the house text format.
func Parse(r io.Reader) (*Brief, error) { return nil, errTODO }

// Render writes b in the house text format.
func Render(b *Brief) string { return "" }

// ParseMarkdown reads a brief in the editing format.
func ParseMarkdown(r io.Reader) (*Brief, error) { return nil, errTODO }

// RenderMarkdown writes b in the editing format.
func RenderMarkdown(b *Brief) string { return "" }
