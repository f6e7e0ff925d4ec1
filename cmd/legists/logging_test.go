package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"legists/internal/web"
)

func TestServeLogger(t *testing.T) {
	// Not a terminal: JSON by default, request IDs from the context.
	var buf bytes.Buffer
	logger, err := newServeLogger(&buf, "", "info")
	if err != nil {
		t.Fatal(err)
	}
	logger.DebugContext(context.Background(), "hidden")
	logger.InfoContext(web.WithRequestID(context.Background(), "rid-1"), "shown", "n", 1)
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatalf("not one JSON line: %q", buf.String())
	}
	if m["msg"] != "shown" || m["level"] != "INFO" || m["request_id"] != "rid-1" || m["n"] != float64(1) {
		t.Errorf("line: %v", m)
	}

	buf.Reset()
	logger, err = newServeLogger(&buf, "TEXT", "debug")
	if err != nil {
		t.Fatal(err)
	}
	logger.Debug("visible")
	if !strings.HasPrefix(buf.String(), "time=") || !strings.Contains(buf.String(), "level=DEBUG msg=visible") {
		t.Errorf("text: %q", buf.String())
	}

	buf.Reset()
	logger, _ = newServeLogger(&buf, "json", "WARN")
	logger.Info("dropped")
	logger.Warn("kept")
	if strings.Contains(buf.String(), "dropped") || !strings.Contains(buf.String(), `"msg":"kept"`) {
		t.Errorf("warn level: %q", buf.String())
	}

	if _, err := newServeLogger(&buf, "xml", "info"); err == nil {
		t.Error("bad format accepted")
	}
	if _, err := newServeLogger(&buf, "json", "loud"); err == nil {
		t.Error("bad level accepted")
	}
}

func TestServeLogFlags(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"serve", "--log-format", "xml"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "--log-format") {
		t.Errorf("bad --log-format: %d %s", code, errb.String())
	}
	errb.Reset()
	t.Setenv("LEGISTS_LOG_LEVEL", "chatty")
	if code := run([]string{"serve"}, &out, &errb); code != exitUsage || !strings.Contains(errb.String(), "--log-level") {
		t.Errorf("bad LEGISTS_LOG_LEVEL: %d %s", code, errb.String())
	}
}
