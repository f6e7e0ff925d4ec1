package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"legists/internal/store"
	"legists/internal/store/storetest"
)

func TestBackupRestoreCLI(t *testing.T) {
	testBackupRestoreCLI(t, storetest.SQLiteDSN, storetest.SQLiteDSN)
}

func TestBackupRestoreCLISQLiteToPostgres(t *testing.T) {
	testBackupRestoreCLI(t, storetest.SQLiteDSN, storetest.PostgresDSN)
}

func TestBackupRestoreCLIPostgresToSQLite(t *testing.T) {
	testBackupRestoreCLI(t, storetest.PostgresDSN, storetest.SQLiteDSN)
}

func testBackupRestoreCLI(t *testing.T, from, to func(testing.TB) string) {
	ctx := context.Background()
	srcDSN, dstDSN := from(t), to(t)
	src, err := store.Open(ctx, srcDSN)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, src, storetest.GenerateBriefs(40, 3))
	if err := src.UpsertFirms(ctx, storetest.Firms); err != nil {
		t.Fatal(err)
	}
	src.Close()

	file := filepath.Join(t.TempDir(), "legists.backup")
	code, out, errOut := runCLI(t, "backup", "--db", srcDSN, "--to", file)
	if code != exitOK {
		t.Fatalf("backup: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "backed up") || !strings.Contains(errOut, "briefs") {
		t.Errorf("backup output: %q / %q", out, errOut)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("archive: %v %v (want mode 0600: it holds password hashes)", info, err)
	}
	if m, _ := filepath.Glob(file + ".partial-*"); len(m) > 0 {
		t.Errorf("left a partial file: %v", m)
	}

	// Restore through the environment variables, with --json.
	t.Setenv("LEGISTS_DB", dstDSN)
	t.Setenv("LEGISTS_RESTORE_FROM", file)
	code, out, errOut = runCLI(t, "restore", "--json")
	if code != exitOK {
		t.Fatalf("restore: exit %d: %s", code, errOut)
	}
	var sum backupSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Rows == 0 || sum.SchemaVersion == 0 {
		t.Fatalf("restore --json: %v %s", err, out)
	}

	dst, err := store.Open(ctx, dstDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	page, err := dst.ListBriefs(ctx, store.BriefFilter{Limit: 100})
	if err != nil || len(page.Briefs) != 40 {
		t.Fatalf("restored %d briefs: %v", len(page.Briefs), err)
	}
	if firms, _ := dst.ListFirms(ctx); len(firms) != len(storetest.Firms) {
		t.Fatalf("restored %d firms", len(firms))
	}

	// Not empty any more: refused, then --force.
	code, _, errOut = runCLI(t, "restore", "--from", file)
	if code != exitFindings || !strings.Contains(errOut, "--force") || !strings.Contains(errOut, "not empty") {
		t.Fatalf("restore into a full database: exit %d: %s", code, errOut)
	}
	code, out, errOut = runCLI(t, "restore", "--from", file, "--force", "--dry-run")
	if code != exitOK || !strings.Contains(out, "dry run") {
		t.Fatalf("dry run: exit %d: %s %s", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "restore", "--from", file, "--force")
	if code != exitOK {
		t.Fatalf("forced restore: exit %d: %s", code, errOut)
	}
	if page, _ := dst.ListBriefs(ctx, store.BriefFilter{Limit: 100}); len(page.Briefs) != 40 {
		t.Fatalf("after a forced restore: %d briefs", len(page.Briefs))
	}
}

func TestBackupCLIErrors(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "x.db")
	if code, _, errOut := runCLI(t, "backup", "--db", dsn); code != exitUsage || !strings.Contains(errOut, "--to") {
		t.Errorf("backup without --to: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "restore", "--db", dsn); code != exitUsage || !strings.Contains(errOut, "--from") {
		t.Errorf("restore without --from: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "restore", "--db", dsn, "--from", filepath.Join(dir, "missing")); code != exitUsage {
		t.Errorf("restore of a missing file: %d %s", code, errOut)
	}

	// A truncated archive: exit 2, the line named, nothing restored.
	src := filepath.Join(dir, "src.db")
	s, err := store.Open(context.Background(), "sqlite:"+src)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Load(t, s, storetest.GenerateBriefs(200, 9))
	s.Close()
	file := filepath.Join(dir, "b.lgz")
	if code, _, errOut := runCLI(t, "backup", "--db", "sqlite:"+src, "--to", file); code != exitOK {
		t.Fatal(errOut)
	}
	data, _ := os.ReadFile(file)
	os.WriteFile(file, data[:len(data)*2/3], 0o600)
	code, _, errOut := runCLI(t, "restore", "--db", dsn, "--from", file)
	if code != exitUsage || !strings.Contains(errOut, "truncated") || !strings.Contains(errOut, "line ") || !strings.Contains(errOut, "nothing was changed") {
		t.Errorf("truncated archive: exit %d: %s", code, errOut)
	}
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if page, _ := st.ListBriefs(context.Background(), store.BriefFilter{}); len(page.Briefs) != 0 {
		t.Errorf("a failed restore left %d briefs", len(page.Briefs))
	}
}

func TestBackupToStdout(t *testing.T) {
	dsn := storetest.SQLiteDSN(t)
	var out, errb bytes.Buffer
	if code := run([]string{"backup", "--db", dsn, "--to", "-"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	zr, err := gzip.NewReader(&out)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(zr)
	if !bytes.HasPrefix(raw, []byte(`{"format":"legists-backup"`)) || !strings.Contains(errb.String(), "backed up") {
		t.Errorf("stdout %q, stderr %q", raw[:min(len(raw), 80)], errb.String())
	}
}
