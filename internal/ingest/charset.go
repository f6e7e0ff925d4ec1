package ingest

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// Documents arrive in many encodings, and often say so wrongly. DecodeHTML
// and DecodeXML turn a body into UTF-8 by what it says (byte-order mark,
// XML declaration or <meta charset>, then the Content-Type header), with
// two corrections for common lies: a body declared UTF-8 that is not valid
// UTF-8 is read as Windows-1252, and a body declared ISO-8859-1 or
// Windows-1252 that is valid UTF-8 with non-ASCII characters is read as
// UTF-8.

// headerCharset returns the charset parameter of a Content-Type header.
func headerCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

var xmlDeclRE = regexp.MustCompile(`(?i)^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])([A-Za-z0-9._:\-]+)(["'])`)

// xmlDeclaredEncoding returns the encoding of the XML declaration.
func xmlDeclaredEncoding(body []byte) string {
	head := body
	if len(head) > 512 {
		head = head[:512]
	}
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if m := xmlDeclRE.FindSubmatch(head); m != nil {
		return string(m[3])
	}
	return ""
}

// DecodeXML returns an XML (or JSON) document as UTF-8, its XML
// declaration rewritten to say so, and the name of the encoding it was in.
func DecodeXML(body []byte, contentType string) ([]byte, string) {
	if bom := bomEncoding(body); bom != "" {
		return finish(decodeAs(body, bom), bom, true)
	}
	label := xmlDeclaredEncoding(body)
	if label == "" {
		label = headerCharset(contentType)
	}
	name := canonicalCharset(label)
	return finish(decodeAs(body, name), name, true)
}

// DecodeHTML returns an HTML page as UTF-8 and the name of the encoding it
// was in.
func DecodeHTML(body []byte, contentType string) ([]byte, string) {
	if bom := bomEncoding(body); bom != "" {
		return finish(decodeAs(body, bom), bom, false)
	}
	// <meta charset> first when the header names none; the header wins
	// otherwise (as in browsers), subject to the corrections.
	_, name, _ := charset.DetermineEncoding(body, contentType)
	if name == "windows-1252" && headerCharset(contentType) == "" {
		// DetermineEncoding's guess for a page that says nothing and is not
		// valid UTF-8; decodeAs applies the same rule.
		name = ""
	}
	name = canonicalCharset(name)
	return finish(decodeAs(body, name), name, false)
}

func finish(b []byte, name string, xml bool) ([]byte, string) {
	if xml {
		// The text is UTF-8 now: say so, so the parser does not decode again.
		if m := xmlDeclRE.FindSubmatchIndex(b); m != nil {
			var out []byte
			out = append(out, b[:m[6]]...)
			out = append(out, "UTF-8"...)
			out = append(out, b[m[7]:]...)
			b = out
		}
	}
	return b, name
}

func bomEncoding(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\xef\xbb\xbf")):
		return "utf-8"
	case bytes.HasPrefix(b, []byte("\xfe\xff")):
		return "utf-16be"
	case bytes.HasPrefix(b, []byte("\xff\xfe")):
		return "utf-16le"
	}
	return ""
}

// canonicalCharset maps a label to the WHATWG encoding name; "" for none or
// an unknown label.
func canonicalCharset(label string) string {
	label = strings.TrimSpace(label)
	if label == "" {
		return ""
	}
	_, name := charset.Lookup(label)
	return name
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// decodeAs decodes b from the named encoding ("" for unknown), applying the
// corrections described above.
func decodeAs(b []byte, name string) []byte {
	switch name {
	case "utf-8":
		b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		if utf8.Valid(b) {
			return b
		}
		name = "windows-1252"
	case "", "replacement":
		if utf8.Valid(b) {
			return b
		}
		name = "windows-1252"
	case "windows-1252", "iso-8859-1":
		// Browsers treat ISO-8859-1 as Windows-1252.
		if hasNonASCII(b) && utf8.Valid(b) {
			return b
		}
		name = "windows-1252"
	}
	enc, _ := charset.Lookup(name)
	if enc == nil {
		enc, _ = charset.Lookup("windows-1252")
	}
	out, err := decodeBytes(enc, b)
	if err != nil {
		return bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	return out
}

func decodeBytes(enc encoding.Encoding, b []byte) ([]byte, error) {
	return enc.NewDecoder().Bytes(b)
}
