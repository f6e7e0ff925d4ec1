package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"legists/internal/web"
)

// newServeLogger builds legists serve's logger. format is "text", "json"
// or "" (text when w is a terminal, JSON otherwise); level is debug, info,
// warn or error (slog's syntax: "info+2" works too). Records logged with a
// request's context carry its request_id (web.LogHandler).
func newServeLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	level = strings.TrimSpace(level)
	if strings.EqualFold(level, "warning") {
		level = "warn"
	}
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "":
		if isTerminal(w) {
			h = slog.NewTextHandler(w, opts)
		} else {
			h = slog.NewJSONHandler(w, opts)
		}
	case "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("--log-format %q: want text or json", format)
	}
	return slog.New(web.LogHandler(h)), nil
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
