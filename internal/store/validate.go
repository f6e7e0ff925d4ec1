package store

// Restore's checks and conversions of archive values, by target column.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// checkText refuses what PostgreSQL's text refuses: bytes that are not
// UTF-8 and the NUL character.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("not valid UTF-8 text: %q", clip(strings.ToValidUTF8(s, "\uFFFD")))
	}
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("text with a NUL character: %q", clip(s))
	}
	return nil
}

// postgresColumnKinds are the kinds of every column of the PostgreSQL
// schema, read from its migrations: table -> column -> kind.
var postgresColumnKinds = sync.OnceValues(func() (map[string]map[string]string, error) {
	d := newPostgresDialect()
	entries, err := fs.ReadDir(d.migrations, ".")
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	for _, e := range entries {
		b, err := fs.ReadFile(d.migrations, e.Name())
		if err != nil {
			return nil, err
		}
		parsePostgresColumns(string(b), out)
	}
	return out, nil
})

var (
	createTableRE = regexp.MustCompile(`(?is)CREATE TABLE(?: IF NOT EXISTS)?\s+(\w+)\s*\((.*?)\n\);`)
	columnLineRE  = regexp.MustCompile(`^\s*(\w+)\s+(\w+(?:\s+precision|\s+with(?:out)? time zone)?)`)
	addColumnRE   = regexp.MustCompile(`(?i)ALTER TABLE\s+(\w+)\s+ADD COLUMN(?: IF NOT EXISTS)?\s+(\w+)\s+(\w+(?:\s+precision)?)`)
)

// parsePostgresColumns adds the columns that the Up part of a migration
// creates to out.
func parsePostgresColumns(sql string, out map[string]map[string]string) {
	if i := strings.Index(sql, "-- +goose Down"); i >= 0 {
		sql = sql[:i]
	}
	add := func(table, col, typ string) {
		if out[table] == nil {
			out[table] = map[string]string{}
		}
		out[table][strings.ToLower(col)] = postgresDeclKind(typ)
	}
	for _, m := range createTableRE.FindAllStringSubmatch(sql, -1) {
		for _, line := range strings.Split(m[2], "\n") {
			c := columnLineRE.FindStringSubmatch(line)
			if c == nil {
				continue
			}
			switch strings.ToUpper(c[1]) {
			case "CONSTRAINT", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "EXCLUDE":
				continue
			}
			add(strings.ToLower(m[1]), c[1], c[2])
		}
	}
	for _, m := range addColumnRE.FindAllStringSubmatch(sql, -1) {
		add(strings.ToLower(m[1]), m[2], m[3])
	}
}

// postgresDeclKind is postgresKind for a type as declared in DDL.
func postgresDeclKind(typ string) string {
	switch t := strings.ToLower(strings.Join(strings.Fields(typ), " ")); t {
	case "int", "int2", "int4", "int8", "serial", "bigserial", "smallserial":
		return kindInt
	case "float4", "float8":
		return kindFloat
	case "bool":
		return kindBool
	case "timestamptz", "timestamp":
		return kindTime
	default:
		return postgresKind(t)
	}
}

// setStrictKinds gives the columns of a SQLite schema their PostgreSQL
// kinds, for a restore to check values as PostgreSQL would.
func setStrictKinds(si *schemaInfo) error {
	kinds, err := postgresColumnKinds()
	if err != nil {
		return err
	}
	for _, t := range si.tables {
		cols := kinds[strings.ToLower(t.name)]
		for i := range t.columns {
			if k, ok := cols[strings.ToLower(t.columns[i].name)]; ok && k != kindSkip {
				t.columns[i].strict = k
			}
		}
	}
	return nil
}

// convertValue converts an archive value (as decoded from JSON with
// UseNumber: nil, bool, json.Number, string) written as kind into the
// argument for target column c of this dialect.
func (d *dialect) convertValue(v any, kind string, c *columnInfo) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch v.(type) {
	case bool, json.Number, string:
	default:
		return nil, fmt.Errorf("unexpected JSON %T", v)
	}
	// Binary data arrives as base64.
	if s, ok := v.(string); ok && kind == kindBytes {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("bad base64: %w", err)
		}
		if c.kind == kindBytes {
			return b, nil
		}
		v = string(b)
	}
	sqlite := d.name == dialectSQLite
	target := c.kind
	if sqlite && c.strict != "" {
		// The value must be what PostgreSQL would take, written as the
		// store writes it on SQLite (times as text, booleans as 0/1).
		target = c.strict
	}
	if str, ok := v.(string); ok && (target == kindText || target == kindJSON) {
		if err := checkText(str); err != nil {
			return nil, err
		}
	}
	switch target {
	case kindInt:
		n, err := toInt(v)
		if err != nil {
			return nil, err
		}
		return n, nil
	case kindFloat:
		return toFloat(v)
	case kindBool:
		b, err := toBool(v)
		if err != nil {
			return nil, err
		}
		if sqlite {
			if b {
				return int64(1), nil
			}
			return int64(0), nil
		}
		return b, nil
	case kindTime:
		t, err := toTime(v)
		if err != nil {
			return nil, err
		}
		return d.timeArg(t), nil
	case kindJSON:
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		if !json.Valid([]byte(s)) {
			return nil, fmt.Errorf("not valid JSON: %s", clip(s))
		}
		return s, nil
	case kindBytes: // PostgreSQL bytea from text; SQLite BLOB or no affinity: as it is
		switch v := v.(type) {
		case string:
			if sqlite {
				return v, nil
			}
			return []byte(v), nil
		case json.Number:
			if n, err := v.Int64(); err == nil {
				return n, nil
			}
			return v.Float64()
		case bool:
			return boolInt(v), nil
		}
	case kindNumeric:
		switch v := v.(type) {
		case json.Number:
			if sqlite {
				if n, err := v.Int64(); err == nil {
					return n, nil
				}
				return v.Float64()
			}
			return v.String(), nil
		case bool:
			return boolInt(v), nil
		}
		return v, nil
	}
	// Text.
	switch v := v.(type) {
	case json.Number:
		return v.String(), nil
	case bool:
		if sqlite {
			return boolInt(v), nil
		}
		return strconv.FormatBool(v), nil
	}
	return v, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func toInt(v any) (int64, error) {
	switch v := v.(type) {
	case json.Number:
		if n, err := v.Int64(); err == nil {
			return n, nil
		}
		if f, err := v.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return int64(f), nil
		}
		return 0, fmt.Errorf("want an integer, found %s", v)
	case bool:
		return boolInt(v), nil
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n, nil
		}
		return 0, fmt.Errorf("want an integer, found %q", clip(v))
	}
	return 0, fmt.Errorf("want an integer, found %T", v)
}

func toFloat(v any) (float64, error) {
	switch v := v.(type) {
	case json.Number:
		return v.Float64()
	case bool:
		return float64(boolInt(v)), nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			return f, nil
		}
		return 0, fmt.Errorf("want a number, found %q", clip(v))
	}
	return 0, fmt.Errorf("want a number, found %T", v)
}

func toBool(v any) (bool, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case json.Number:
		switch v.String() {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
		return false, fmt.Errorf("want a boolean (0 or 1), found %s", v)
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "0", "f", "false", "n", "no", "off":
			return false, nil
		case "1", "t", "true", "y", "yes", "on":
			return true, nil
		}
		return false, fmt.Errorf("want a boolean, found %q", clip(v))
	}
	return false, fmt.Errorf("want a boolean, found %T", v)
}

func toTime(v any) (time.Time, error) {
	var t dbTime
	switch v := v.(type) {
	case string:
		if err := t.Scan(v); err != nil {
			return time.Time{}, fmt.Errorf("want a time, found %q", clip(v))
		}
	case json.Number:
		n, err := v.Int64()
		if err != nil {
			return time.Time{}, fmt.Errorf("want a time, found %s", v)
		}
		t = dbTime{Time: time.Unix(n, 0).UTC(), Valid: true}
	default:
		return time.Time{}, fmt.Errorf("want a time, found %T", v)
	}
	return t.Time, nil
}

// clip shortens a value quoted in an error.
func clip(s string) string {
	if len(s) <= 60 {
		return s
	}
	cut := 60
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
