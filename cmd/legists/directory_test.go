package main

import (
	"context"
	"strings"
	"testing"

	"legists/internal/brief"
	"legists/internal/store"
)

// TestDirectorySync updates a database whose directory predates the
// renaming of Allen & Overy: sync gives the firm its new name, on both
// databases, and says so.
func TestDirectorySync(t *testing.T) {
	onBothDatabases(t, func(t *testing.T, db string, st store.Store) {
		ctx := context.Background()
		if err := st.UpsertFirms(ctx, []brief.Firm{{Name: "Allen & Overy LLP", Aliases: []string{"Allen & Overy"}}}); err != nil {
			t.Fatal(err)
		}
		code, out, errOut := runCLI(t, "directory", "sync", "--db", db)
		if code != exitOK || !strings.Contains(out, "renamed: Allen & Overy LLP is now A&O Shearman") || !strings.Contains(out, "as of 2026-") {
			t.Fatalf("sync: exit %d\n%s%s", code, out, errOut)
		}
		f, err := st.GetFirm(ctx, "allen-overy-llp")
		if err != nil || f.Name != "A&O Shearman" {
			t.Fatalf("after sync: %+v %v", f, err)
		}
		code, out, _ = runCLI(t, "directory", "info")
		if code != exitOK || !strings.Contains(out, "HSF Kramer (since 2025-06-01)") {
			t.Errorf("info: %s", out)
		}
	})
}
