package legalref

import (
	"fmt"
	"os"
	"testing"
)

func TestDebugFind(t *testing.T) {
	p := os.Getenv("LR_FILE")
	if p == "" {
		t.Skip()
	}
	b, _ := os.ReadFile(p)
	for _, r := range Find(string(b)) {
		fmt.Printf("%-45q %-11s %-4s %-60s %s\n", r.Text, r.Kind, r.Jurisdiction, r.Canonical, r.URL)
	}
}
