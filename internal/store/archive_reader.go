package store

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ---- Reading an archive ----

// maxArchiveLine bounds one line (one row) of an archive, and so the
// memory a restore takes: a row holds a brief or an archived article
// (fetches keep at most 8 MiB of a page), so 64 MiB leaves room for
// JSON's escapes while a hostile archive (a 400 MiB line in a 2 MB gzip)
// fails after reading 64 MiB, not all of it.
const maxArchiveLine = 64 << 20

type archiveReader struct {
	r     *bufio.Reader
	gz    *gzip.Reader
	line  int64 // number of the last line read
	table string
	// tableRows is the row count of the current table, rowsRead the rows
	// of it read so far (for messages).
	tableRows, rowsRead int64
}

func newArchiveReader(r io.Reader) (*archiveReader, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic, err := br.Peek(2)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: the archive is empty", ErrArchive)
		}
		return nil, err
	}
	ar := &archiveReader{}
	switch {
	case magic[0] == 0x1f && magic[1] == 0x8b:
		gz, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrArchive, err)
		}
		gz.Multistream(false)
		ar.gz = gz
		ar.r = bufio.NewReaderSize(gz, 1<<20)
	case magic[0] == '{':
		// Uncompressed JSON lines (e.g. a gunzipped archive).
		ar.r = br
	default:
		return nil, fmt.Errorf("%w: not a legists backup (neither gzip nor JSON lines)", ErrArchive)
	}
	return ar, nil
}

// errorf makes an error located at the current line.
func (ar *archiveReader) errorf(table, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	if !errors.Is(err, ErrArchive) {
		err = fmt.Errorf("%w: %w", ErrArchive, err)
	}
	if table != "" {
		return fmt.Errorf("archive line %d (table %s): %w", ar.line, table, err)
	}
	return fmt.Errorf("archive line %d: %w", ar.line, err)
}

// next returns the next line without its newline; io.EOF at a clean end.
//
// A long line is read in the reader's 1 MiB chunks, copied aside and
// joined once at its end, so memory stays near the line's size, and a line
// over maxArchiveLine fails as soon as it is known to be.
func (ar *archiveReader) next() ([]byte, error) {
	var (
		parts [][]byte
		n     int
	)
	for {
		chunk, err := ar.r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			n += len(chunk)
			if n > maxArchiveLine {
				ar.line++
				return nil, ar.errorf(ar.table, "a line longer than %d MiB", maxArchiveLine>>20)
			}
			parts = append(parts, bytes.Clone(chunk))
			continue
		}
		var buf []byte
		if len(parts) > 0 {
			buf = bytes.Join(append(parts, chunk), nil)
		} else {
			buf = bytes.Clone(chunk)
		}
		if err != nil {
			if errors.Is(err, io.EOF) && len(buf) == 0 {
				return nil, io.EOF
			}
			ar.line++
			if errors.Is(err, io.EOF) {
				return nil, ar.truncated(io.ErrUnexpectedEOF)
			}
			return nil, ar.truncated(err)
		}
		ar.line++
		return bytes.TrimRight(buf, "\r\n"), nil
	}
}

// truncated is the error for an archive that ends or breaks early.
func (ar *archiveReader) truncated(err error) error {
	where := ""
	if ar.table != "" {
		where = fmt.Sprintf(" in table %s, after %d of its %d rows", ar.table, ar.rowsRead, ar.tableRows)
	}
	return fmt.Errorf("%w: the archive breaks off at line %d%s: it is truncated or corrupt: %w", ErrArchive, ar.line, where, err)
}

// must reads a line that has to be there.
func (ar *archiveReader) must() ([]byte, error) {
	line, err := ar.next()
	if errors.Is(err, io.EOF) {
		ar.line++
		return nil, ar.truncated(io.ErrUnexpectedEOF)
	}
	return line, err
}

func (ar *archiveReader) header() (*ArchiveHeader, error) {
	line, err := ar.must()
	if err != nil {
		return nil, err
	}
	var h ArchiveHeader
	if err := json.Unmarshal(line, &h); err != nil || h.Format != ArchiveFormat {
		return nil, ar.errorf("", "%w: not a legists backup (the first line is not a %s header)", ErrArchive, ArchiveFormat)
	}
	if h.Version != ArchiveVersion {
		return nil, ar.errorf("", "%w: archive format version %d; this legists reads version %d", ErrArchive, h.Version, ArchiveVersion)
	}
	var sum int64
	for _, t := range h.Tables {
		if t.Name == "" || t.Rows < 0 {
			return nil, ar.errorf("", "%w: a bad table entry in the header", ErrArchive)
		}
		sum += t.Rows
	}
	if sum != h.Rows {
		return nil, ar.errorf("", "%w: the header's row counts do not add up", ErrArchive)
	}
	return &h, nil
}

func (ar *archiveReader) tableHeader() (*archiveTableHeader, error) {
	line, err := ar.must()
	if err != nil {
		return nil, err
	}
	var th archiveTableHeader
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &th) != nil || th.Table == "" {
		return nil, ar.errorf(ar.table, "%w: expected the header of the next table", ErrArchive)
	}
	ar.table, ar.tableRows, ar.rowsRead = th.Table, th.Rows, 0
	return &th, nil
}

func (ar *archiveReader) row(th *archiveTableHeader, n int64) ([]any, error) {
	ar.rowsRead = n
	line, err := ar.must()
	if err != nil {
		return nil, err
	}
	if len(line) == 0 || line[0] != '[' {
		return nil, ar.errorf(th.Table, "%w: expected row %d of %d, found %s", ErrArchive, n+1, th.Rows, clip(string(line)))
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var row []any
	if err := dec.Decode(&row); err != nil {
		return nil, ar.errorf(th.Table, "%w: row %d of %d is not a JSON array: %w", ErrArchive, n+1, th.Rows, err)
	}
	if dec.More() {
		return nil, ar.errorf(th.Table, "%w: row %d of %d: data after the row", ErrArchive, n+1, th.Rows)
	}
	if len(row) != len(th.Columns) {
		return nil, ar.errorf(th.Table, "%w: row %d of %d has %d values for %d columns", ErrArchive, n+1, th.Rows, len(row), len(th.Columns))
	}
	return row, nil
}

// end reads the end line and makes sure nothing follows it (which also
// verifies gzip's checksum).
func (ar *archiveReader) end(rows int64) error {
	ar.table = ""
	line, err := ar.must()
	if err != nil {
		return err
	}
	var e archiveEnd
	if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil || !e.End {
		return ar.errorf("", "%w: expected the end of the archive, found %s", ErrArchive, clip(string(line)))
	}
	if e.Rows != rows {
		return ar.errorf("", "%w: the archive says %d rows, %d were read", ErrArchive, e.Rows, rows)
	}
	if _, err := ar.next(); !errors.Is(err, io.EOF) {
		if err == nil {
			return ar.errorf("", "%w: data after the end of the archive", ErrArchive)
		}
		return err
	}
	return nil
}
