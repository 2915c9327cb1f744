package serve

import (
	"bytes"
	"encoding/json"
	"math"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/svstate"
)

// The series of each service, in the fixture's states: "name=value",
// "name=*" for a timestamp (present, within a day of now), "name=-" for a
// series that must be absent, "name=?" for one not checked.
var wantSeries = map[string]string{
	fxUp:             "supervised=1 up=1 ready=1 want_up=1 normally_up=1 paused=0 since=* restarts_total=0 backoff=0 last_exit_code=-",
	fxNotReady:       "supervised=1 up=1 ready=0 want_up=1 normally_up=1 paused=0 since=* restarts_total=0 backoff=0 last_exit_code=-",
	fxPaused:         "supervised=1 up=1 ready=1 want_up=1 normally_up=1 paused=1 since=* restarts_total=0 backoff=0 last_exit_code=-",
	fxBackoff:        "supervised=1 up=0 ready=0 want_up=1 normally_up=1 paused=0 since=* restarts_total=0 backoff=1 last_exit_code=1",
	fxOnce:           "supervised=1 up=0 ready=0 want_up=0 normally_up=0 paused=0 since=* restarts_total=0 backoff=0 last_exit_code=0",
	fxStopped:        "supervised=1 up=0 ready=0 want_up=0 normally_up=1 paused=0 since=* restarts_total=0 backoff=0 last_exit_code=-15",
	fxNoExec:         "supervised=1 up=0 ready=0 want_up=1 normally_up=1 paused=0 since=* restarts_total=? backoff=? last_exit_code=?",
	fxRestarts:       "supervised=1 up=1 ready=1 want_up=1 normally_up=1 paused=0 since=* restarts_total=2 backoff=0 last_exit_code=1",
	fxNoSup:          "supervised=0 up=- ready=- want_up=- normally_up=- paused=- since=- restarts_total=- backoff=- last_exit_code=-",
	fxBroken:         "supervised=1 up=- ready=- want_up=- normally_up=- paused=- since=- restarts_total=- backoff=- last_exit_code=-",
	fxJunkJSON:       "supervised=1 up=1 ready=- want_up=1 normally_up=1 paused=0 since=* restarts_total=- backoff=- last_exit_code=-",
	fxDebian:         "supervised=1 up=1 ready=- want_up=1 normally_up=1 paused=0 since=* restarts_total=- backoff=- last_exit_code=-",
	fxDB:             "= " + fxUp,
	fxCron:           "= " + fxUp,
	fxUp + "/log":    "= " + fxUp,
	fxDB + "/log":    "= " + fxUp,
	fxCron + "/log":  "= " + fxUp,
	"api/log":        "= " + fxUp,
	"mailer/log":     "= " + fxUp,
	"web/log":        "= " + fxUp,
	fxDebian + "(*)": "supervised=1 up=1 ready=1 want_up=1 normally_up=1 paused=0 since=* restarts_total=0 backoff=0 last_exit_code=-",
}

// metricName is the full name of a series of wantSeries.
func metricName(short string) string {
	if short == "since" {
		return "daemontools_service_state_change_timestamp_seconds"
	}
	return "daemontools_service_" + short
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ts := startServer(t, "", f.scan)
	s, text := ts.scrape(t)
	now := float64(time.Now().Unix())
	var services []string
	for name, want := range wantSeries {
		if strings.HasSuffix(name, "(*)") {
			continue
		}
		services = append(services, name)
		if name == fxDebian && !f.debian {
			want = wantSeries[fxDebian+"(*)"] // our supervise in its place
		}
		if alias, ok := strings.CutPrefix(want, "= "); ok {
			want = wantSeries[alias]
		}
		for _, w := range strings.Fields(want) {
			short, v, _ := strings.Cut(w, "=")
			got, present := s[metricName(short)][name]
			switch v {
			case "?":
			case "-":
				if present {
					t.Errorf("%s: %s = %v, want no such series", name, metricName(short), got)
				}
			case "*":
				if !present || math.Abs(got-now) > 86400 {
					t.Errorf("%s: %s = %v (present %v), want a time near %v", name, metricName(short), got, present, now)
				}
			default:
				want, err := strconv.ParseFloat(v, 64)
				if err != nil {
					t.Fatal(err)
				}
				if !present || got != want {
					t.Errorf("%s: %s = %v (present %v), want %v", name, metricName(short), got, present, want)
				}
			}
		}
	}
	// No other service, and every series named as the issue names them.
	slices.Sort(services)
	for _, short := range []string{"supervised", "up", "ready", "want_up", "normally_up", "paused", "since",
		"restarts_total", "last_exit_code", "backoff"} {
		if _, ok := s[metricName(short)]; !ok {
			t.Errorf("no series %s", metricName(short))
		}
	}
	for name, byService := range s {
		if !strings.HasPrefix(name, "daemontools_service_") {
			continue
		}
		for svc := range byService {
			if !slices.Contains(services, svc) {
				t.Errorf("%s{service=%q}: not a service of the fixture", name, svc)
			}
		}
	}
	if len(s["daemontools_service_supervised"]) != len(services) {
		t.Errorf("daemontools_service_supervised has %d services, want %d", len(s["daemontools_service_supervised"]), len(services))
	}
	if d, ok := s["daemontools_scrape_duration_seconds"][""]; !ok || d <= 0 || d > 10 {
		t.Errorf("daemontools_scrape_duration_seconds = %v (present %v)", d, ok)
	}
	for _, name := range []string{"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
		"go_goroutines", "go_memstats_heap_alloc_bytes"} {
		if _, ok := s[name]; !ok {
			t.Errorf("no %s: the Go client's process and Go collectors", name)
		}
	}
	if !strings.Contains(text, "# TYPE daemontools_service_restarts_total counter\n") {
		t.Error("daemontools_service_restarts_total is not a counter")
	}

	t.Run("promtool", func(t *testing.T) {
		promtool, err := exec.LookPath("promtool")
		if err != nil {
			t.Skip("requires promtool (apt-get install prometheus)")
		}
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = strings.NewReader(text)
		out, err := cmd.CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("promtool check metrics: %v\n%s", err, out)
		}
	})

	// The supervisor is checked at every scrape: one that dies is seen
	// at the next.
	t.Run("fresh", func(t *testing.T) {
		waitFor(t, f.scan+"/"+fxOnce, "supervised", func(s svstate.Service) bool { return s.Supervised })
		s, _ := ts.scrape(t)
		if s["daemontools_service_supervised"][fxOnce] != 1 {
			t.Fatalf("%s not supervised", fxOnce)
		}
		svc := exec.Command("svc", "-x", f.scan+"/"+fxOnce) // it is down: its supervisor exits
		svc.Env = append(svc.Environ(), "PATH="+binPath(t))
		if out, err := svc.CombinedOutput(); err != nil {
			t.Fatalf("svc -x: %v %s", err, out)
		}
		waitFor(t, f.scan+"/"+fxOnce, "no supervisor", func(s svstate.Service) bool { return !s.Supervised })
		s, _ = ts.scrape(t)
		if v, ok := s["daemontools_service_supervised"][fxOnce]; v != 0 || !ok {
			t.Errorf("after svc -x: supervised %v %v", v, ok)
		}
		if v, ok := s["daemontools_service_up"][fxOnce]; ok {
			t.Errorf("after svc -x: up %v, want no series", v)
		}
	})

	// /api/services: the objects of svctl status --json, plus the logs.
	t.Run("api", func(t *testing.T) {
		r := ts.get(t, "/api/services", "")
		if r.code != 200 || r.header.Get("Content-Type") != "application/json" || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("/api/services: %d %v", r.code, r.header)
		}
		var doc struct {
			Time     time.Time
			Host     string
			Scan     []scanResult
			Services []apiService
		}
		dec := json.NewDecoder(strings.NewReader(r.body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err != nil {
			t.Fatalf("%v\n%s", err, r.body)
		}
		if len(doc.Scan) != 1 || doc.Scan[0].Dir != f.scan || doc.Scan[0].Error != "" || time.Since(doc.Time) > time.Minute {
			t.Errorf("scan %+v, time %v", doc.Scan, doc.Time)
		}
		by := map[string]apiService{}
		var names []string
		for _, s := range doc.Services {
			by[s.Name] = s
			names = append(names, s.Name)
		}
		if !slices.IsSorted(names) || len(names) != 14 {
			t.Errorf("services %q: want the 14 of the fixture, sorted", names)
		}
		nginx := by[fxUp]
		if nginx.State != "up" || !nginx.Supervised || nginx.Source != svstate.FromState || nginx.Logger == nil ||
			nginx.Logger.State != "up" || nginx.Dir != f.scan+"/"+fxUp || nginx.LogError != "" {
			t.Errorf("nginx: %+v", nginx)
		}
		if len(nginx.Log) == 0 || len(nginx.Log) > 20 || !strings.HasSuffix(nginx.Log[0], " nginx: listening on 0.0.0.0:8080") &&
			!strings.Contains(nginx.Log[0], "GET /health 200") {
			t.Errorf("nginx log: %q", nginx.Log)
		}
		// Local readable times: 2026-12-07 20:41:18.123456 +0000 text.
		if _, err := time.Parse("2006-01-02 15:04:05.000000 -0700", nginx.Log[len(nginx.Log)-1][:32]); err != nil {
			t.Errorf("nginx log line %q: %v", nginx.Log[len(nginx.Log)-1], err)
		}
		if m := by[fxBackoff]; m.State != "backoff" || m.BackoffUntil == nil || m.LastExit == nil ||
			len(m.Log) == 0 || !strings.HasSuffix(m.Log[0], "mailer: fatal: unable to connect to smtp.example.com:25: connection refused") {
			t.Errorf("mailer: %+v", m)
		}
		if r := by[fxNoExec]; r.StartError == nil || r.Logger != nil || r.Log != nil {
			t.Errorf("reports: %+v", r)
		}
		if b := by[fxBroken]; b.Error == "" || b.Source != "" || !b.Supervised {
			t.Errorf("broken: %+v", b)
		}
		if q := by[fxNoSup]; q.Supervised {
			t.Errorf("old-queue: %+v", q)
		}
		// Each object holds the keys of svctl status --json.
		var raw struct{ Services []map[string]json.RawMessage }
		if err := json.Unmarshal([]byte(r.body), &raw); err != nil {
			t.Fatal(err)
		}
		st, _ := json.Marshal(svstate.Service{}.Status())
		var keys map[string]json.RawMessage
		json.Unmarshal(st, &keys) //nolint:errcheck // just made
		for k := range keys {
			if _, ok := raw.Services[0][k]; !ok {
				t.Errorf("no key %q in %s", k, bytes.TrimSpace(raw.Services[0]["name"]))
			}
		}
	})
}
