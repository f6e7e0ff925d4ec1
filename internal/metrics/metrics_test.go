package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
)

// value is the current value of a counter, gauge or histogram count with
// exactly these labels ("k=v" pairs); -1 when there is no such series.
func value(t *testing.T, name string, lv ...string) float64 {
	t.Helper()
	fams, err := Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, p := range lv {
		k, v, _ := strings.Cut(p, "=")
		want[k] = v
	}
	for _, f := range fams {
		if f.GetName() != name {
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
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				return m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				return m.GetGauge().GetValue()
			case dto.MetricType_HISTOGRAM:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

func TestJob(t *testing.T) {
	ok0 := value(t, "legists_jobs_total", "kind=digest-send", "state=succeeded")
	bad0 := value(t, "legists_jobs_total", "kind=digest-send", "state=failed")
	n0 := value(t, "legists_job_duration_seconds", "kind=digest-send")
	if ok0 < 0 || bad0 < 0 {
		t.Fatal("job series not created up front")
	}
	Job(KindDigestSend)(nil)
	Job(KindDigestSend)(errors.New("smtp down"))
	Job(KindDigestSend)(fmt.Errorf("send: %w", context.Canceled)) // shutdown: not counted
	if v := value(t, "legists_jobs_total", "kind=digest-send", "state=succeeded"); v != ok0+1 {
		t.Errorf("succeeded %v, want %v", v, ok0+1)
	}
	if v := value(t, "legists_jobs_total", "kind=digest-send", "state=failed"); v != bad0+1 {
		t.Errorf("failed %v, want %v", v, bad0+1)
	}
	if v := value(t, "legists_job_duration_seconds", "kind=digest-send"); v != n0+2 {
		t.Errorf("durations %v, want %v", v, n0+2)
	}
}

func TestHTTP(t *testing.T) {
	before := value(t, "legists_http_request_duration_seconds", "route=GET /x/{id}", "method=OTHER", "status=4xx")
	HTTP{}.RequestStarted()
	if v := value(t, "legists_http_requests_in_flight"); v < 1 {
		t.Errorf("in flight %v", v)
	}
	HTTP{}.RequestDone("GET /x/{id}", "PROPFIND", 404, time.Millisecond)
	if v := value(t, "legists_http_request_duration_seconds", "route=GET /x/{id}", "method=OTHER", "status=4xx"); v != max(before, 0)+1 {
		t.Errorf("count %v", v)
	}
	for code, want := range map[int]string{0: "2xx", 101: "1xx", 200: "2xx", 304: "3xx", 499: "4xx", 503: "5xx", 999: "other"} {
		if got := StatusClass(code); got != want {
			t.Errorf("StatusClass(%d) = %q, want %q", code, got, want)
		}
	}
	if Method("GET") != "GET" || Method("get") != "OTHER" || Method("DELETE") != "DELETE" {
		t.Error("Method")
	}
}

func TestIngestAndMail(t *testing.T) {
	polled := value(t, "legists_ingest_sources_polled_total")
	fetched := value(t, "legists_ingest_fetches_total", "result=not_modified")
	Ingest{}.SourcePolled("not_modified")
	Ingest{}.SourcePolled("bogus") // polled, but no new label value
	Ingest{}.ArticleSaved("duplicate")
	Ingest{}.ArticleSaved("bogus")
	if v := value(t, "legists_ingest_sources_polled_total"); v != polled+2 {
		t.Errorf("polled %v", v)
	}
	if v := value(t, "legists_ingest_fetches_total", "result=not_modified"); v != fetched+1 {
		t.Errorf("not_modified %v", v)
	}
	if value(t, "legists_ingest_fetches_total", "result=bogus") != -1 || value(t, "legists_ingest_articles_total", "result=bogus") != -1 {
		t.Error("unknown result became a label value")
	}
	for name, f := range map[string]func(){"sent": MailSent, "retried": MailRetried, "bounced": MailBounced, "failed": MailFailed} {
		before := value(t, "legists_mail_messages_total", "result="+name)
		f()
		if v := value(t, "legists_mail_messages_total", "result="+name); v != before+1 {
			t.Errorf("mail %s: %v", name, v)
		}
	}
}

func TestHandler(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{"legists_jobs_total{", "legists_http_requests_in_flight", "go_goroutines", "process_cpu_seconds_total", "promhttp_metric_handler_requests_total"} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in the scrape", want)
		}
	}
	if Handler() == nil {
		t.Fatal("second Handler")
	}
}
