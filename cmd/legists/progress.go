package main

import (
	"context"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// progress is a bar on a terminal and nothing elsewhere: logs and pipes get
// the summary line instead.
type progress struct {
	bar *progressbar.ProgressBar
}

// newProgress draws a bar on w when w is a terminal and enabled is true.
func newProgress(w io.Writer, total int, desc string, enabled bool) *progress {
	f, ok := w.(*os.File)
	if !enabled || !ok || !(isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		return &progress{}
	}
	return &progress{bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("files"),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)}
}

func (p *progress) Add(n int) {
	if p.bar != nil {
		_ = p.bar.Add(n)
	}
}

// Clear removes the bar so a message can be printed on a clean line.
func (p *progress) Clear() {
	if p.bar != nil {
		_ = p.bar.Clear()
	}
}

func (p *progress) Finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

// signalContext is cancelled on SIGINT or SIGTERM, so long commands stop
// between units of work instead of in the middle of one.
func signalContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
}
