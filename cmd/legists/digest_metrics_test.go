package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"legists/internal/mail/mailtest"
	"legists/internal/metrics"
	"legists/internal/store"
)

// counterValue is the value of the counter name with exactly these labels
// ("k=v" pairs) in the process's registry.
func counterValue(t *testing.T, name string, lv ...string) float64 {
	t.Helper()
	fams, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, p := range lv {
		k, v, _ := strings.Cut(p, "=")
		want[k] = v
	}
	for _, f := range fams {
		if f.GetName() != name || f.GetType() != dto.MetricType_COUNTER {
			continue
		}
	series:
		for _, m := range f.GetMetric() {
			if len(m.GetLabel()) != len(want) {
				continue
			}
			for _, l := range m.GetLabel() {
				if want[l.GetName()] != l.GetValue() {
					continue series
				}
			}
			return m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no series %s%v", name, lv)
	return 0
}

// TestDigestSendMetrics: `digest send` over SMTP counts each message's
// outcome (legists_mail_messages_total) and the run
// (legists_jobs_total{kind="digest-send"}).
func TestDigestSendMetrics(t *testing.T) {
	ctx := context.Background()
	db := "sqlite:" + filepath.Join(t.TempDir(), "m.db")
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	yesterday := time.Now().Add(-24 * time.Hour)
	if _, err := st.ImportSubscribers(ctx, []store.Subscriber{
		{Email: "a@example.org", ConfirmedAt: &yesterday},
		{Email: "slow@example.org", ConfirmedAt: &yesterday},
		{Email: "gone@example.org", ConfirmedAt: &yesterday},
	}); err != nil {
		t.Fatal(err)
	}
	publishBrief(t, st, "metrics-news", nil)
	srv := mailtest.Start(t, mailtest.Options{})
	srv.Fail("slow@example.org", 451, 1)
	srv.Fail("gone@example.org", 550, -1)

	mailCount := func(result string) float64 {
		return counterValue(t, "legists_mail_messages_total", "result="+result)
	}
	sent0, retried0, bounced0, failed0 := mailCount("sent"), mailCount("retried"), mailCount("bounced"), mailCount("failed")
	runs0 := counterValue(t, "legists_jobs_total", "kind="+metrics.KindDigestSend, "state=succeeded")

	res := sendJSON(t, "--db", db, "--smtp", srv.URL("backoff=1ms"))
	if res.Sent != 2 || res.Bounced != 1 {
		t.Fatalf("digest send: %+v", res)
	}
	if d := mailCount("sent") - sent0; d != 2 {
		t.Errorf("sent: +%v, want +2", d)
	}
	if d := mailCount("retried") - retried0; d != 1 {
		t.Errorf("retried: +%v, want +1", d)
	}
	if d := mailCount("bounced") - bounced0; d != 1 {
		t.Errorf("bounced: +%v, want +1", d)
	}
	if d := mailCount("failed") - failed0; d != 0 {
		t.Errorf("failed: +%v, want +0", d)
	}
	if d := counterValue(t, "legists_jobs_total", "kind="+metrics.KindDigestSend, "state=succeeded") - runs0; d != 1 {
		t.Errorf("digest-send runs: +%v, want +1", d)
	}
}
