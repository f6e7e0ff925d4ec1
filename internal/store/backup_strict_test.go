package store_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"

	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestRestoreValidatesSQLite(t *testing.T)   { testRestoreValidates(t, storetest.SQLiteDSN) }
func TestRestoreValidatesPostgres(t *testing.T) { testRestoreValidates(t, storetest.PostgresDSN) }

// testRestoreValidates: every value is checked against its column as
// PostgreSQL checks it, on SQLite too (whose TEXT and INTEGER columns
// take anything): times, integers, booleans, enums, UTF-8 text. A bad
// archive restores nothing, with --dry-run too, and the error names the
// table and column.
func testRestoreValidates(t *testing.T, dsn func(testing.TB) string) {
	ctx := context.Background()
	src := storetest.OpenSQLite(t)
	fillStore(t, src)
	var buf bytes.Buffer
	if _, err := store.Backup(ctx, src, &buf, store.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := archiveLines(t, buf.Bytes())
	// locate returns the line of the first row of table and the index of
	// column col.
	locate := func(table, col string) (int, int) {
		for i, l := range lines {
			if !bytes.HasPrefix(l, []byte(`{"table":"`+table+`"`)) {
				continue
			}
			var th struct {
				Rows    int
				Columns []struct{ Name string } `json:"columns"`
			}
			if err := json.Unmarshal(l, &th); err != nil || th.Rows == 0 {
				t.Fatalf("table %s: %v (%d rows)", table, err, th.Rows)
			}
			for j, c := range th.Columns {
				if c.Name == col {
					return i + 1, j
				}
			}
			t.Fatalf("no column %s.%s", table, col)
		}
		t.Fatalf("no table %s", table)
		return 0, 0
	}
	set := func(table, col string, v any) [][]byte {
		i, j := locate(table, col)
		out := slices.Clone(lines)
		var row []any
		dec := json.NewDecoder(bytes.NewReader(lines[i]))
		dec.UseNumber()
		if err := dec.Decode(&row); err != nil {
			t.Fatal(err)
		}
		row[j] = v
		out[i], _ = json.Marshal(row)
		return out
	}
	// asBytes marks column col of table as base64 bytes in the archive, so
	// that its value can carry bytes JSON text cannot.
	asBytes := func(table, col string, raw []byte) [][]byte {
		out := set(table, col, base64.StdEncoding.EncodeToString(raw))
		h, _ := locate(table, col)
		out[h-1] = bytes.Replace(out[h-1], []byte(`{"name":"`+col+`","type":"TEXT","kind":"text"}`), []byte(`{"name":"`+col+`","type":"TEXT","kind":"bytes"}`), 1)
		return out
	}
	cases := []struct {
		name    string
		archive [][]byte
		want    []string
	}{
		{"bad timestamp", set("briefs", "created_at", "yesterday"), []string{"briefs", "column created_at", "want a time"}},
		{"bad timestamp in a nullable time", set("briefs", "published_at", "2026-13-45"), []string{"briefs", "column published_at", "want a time"}},
		{"bad integer", set("users", "id", "12x"), []string{"users", "column id", "want an integer"}},
		{"bad boolean", set("users", "disabled", json.Number("7")), []string{"users", "column disabled", "want a boolean"}},
		{"bad enum", set("users", "role", "king"), []string{"users"}},
		{"NUL in text", set("users", "name", "Ed\x00ward"), []string{"users", "column name", "NUL"}},
		{"invalid UTF-8", asBytes("users", "name", []byte("Ed\xff\xfeward")), []string{"users", "column name", "not valid UTF-8"}},
		{"bad JSON", set("briefs", "body", "{not json"), []string{"briefs", "column body", "not valid JSON"}},
	}
	for _, c := range cases {
		for _, dry := range []bool{false, true} {
			name := c.name
			if dry {
				name += " (dry run)"
			}
			t.Run(name, func(t *testing.T) {
				dst := openDSN(t, dsn(t))
				_, err := store.Restore(ctx, dst, bytes.NewReader(gzipLines(c.archive)), store.RestoreOptions{DryRun: dry})
				if err == nil {
					t.Fatal("restored without an error")
				}
				if !errors.Is(err, store.ErrArchive) {
					t.Errorf("error does not wrap ErrArchive: %v", err)
				}
				for _, w := range c.want {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				if n := rowCount(t, dst); n != 0 {
					t.Errorf("a failed restore left %d rows", n)
				}
			})
		}
	}
}

// A small archive with a huge line (a 400 MiB row, highly compressible)
// fails fast with a clear error, without reading the whole line into
// memory, and restores nothing.
func TestRestoreHugeLine(t *testing.T) {
	ctx := context.Background()
	src := storetest.OpenSQLite(t)
	fillStore(t, src)
	var good bytes.Buffer
	if _, err := store.Backup(ctx, src, &good, store.BackupOptions{}); err != nil {
		t.Fatal(err)
	}
	lines := archiveLines(t, good.Bytes())
	const lineSize = 400 << 20
	var arch bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&arch, gzip.BestCompression)
	zw.Write(append(lines[0], '\n'))
	zw.Write(append(lines[1], '\n'))
	zw.Write([]byte(`[1,"`))
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for range lineSize >> 20 {
		zw.Write(chunk)
	}
	zw.Write([]byte("\"]\n"))
	zw.Close()
	t.Logf("archive: %.1f MB for a %d MiB line", float64(arch.Len())/1e6, lineSize>>20)

	dst := storetest.OpenSQLite(t)
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := store.Restore(ctx, dst, io.NopCloser(bytes.NewReader(arch.Bytes())), store.RestoreOptions{})
	runtime.ReadMemStats(&after)
	if err == nil || !errors.Is(err, store.ErrArchive) || !strings.Contains(err.Error(), "a line longer than 64 MiB") {
		t.Fatalf("restore: %v", err)
	}
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d MiB while reading a %d MiB line", allocated>>20, lineSize>>20)
	if allocated > lineSize/4 {
		t.Errorf("the restore allocated %d MiB for a %d MiB line: it read the line instead of stopping", allocated>>20, lineSize>>20)
	}
	if n := rowCount(t, dst); n != 0 {
		t.Errorf("a failed restore left %d rows", n)
	}
}
