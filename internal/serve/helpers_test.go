package serve

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/tai64"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// testServer is a server over dirs on a loopback port of its own.
type testServer struct {
	s    *server
	addr string // host:port
	url  string // http://host:port
	log  *testutil.Buffer
}

// startServer serves dirs on 127.0.0.1 (or listen) until the test ends.
func startServer(t testing.TB, listen string, dirs ...string) *testServer {
	t.Helper()
	if listen == "" {
		listen = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		t.Fatal(err)
	}
	ts := &testServer{addr: ln.Addr().String(), log: &testutil.Buffer{}}
	ts.url = "http://" + ts.addr
	ts.s = newServer(dirs, ln.Addr(), ts.log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ts.s.serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(svtest.Deadline):
			t.Error("the server did not stop")
		}
	})
	return ts
}

// response is what a request got.
type response struct {
	code   int
	header http.Header
	body   string
}

// get requests path (sent as is) with the Host header host ("" for the
// server's address).
func (ts *testServer) get(t testing.TB, path, host string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.url+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.Opaque = path // sent verbatim: no cleaning, no escaping
	if host != "" {
		req.Host = host
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return response{res.StatusCode, res.Header, string(b)}
}

var client = &http.Client{Timeout: svtest.Deadline}

// streams is the client of event streams, which last.
var streams = &http.Client{Timeout: 2 * time.Minute}

// series is a scrape: metric name → service label → value; the metrics
// without a service label are under "".
type series map[string]map[string]float64

func (ts *testServer) scrape(t testing.TB) (series, string) {
	t.Helper()
	r := ts.get(t, "/metrics", "")
	if r.code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", r.code, r.body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(r.body))
	if err != nil {
		t.Fatalf("/metrics: %v\n%s", err, r.body)
	}
	s := series{}
	for name, f := range fams {
		s[name] = map[string]float64{}
		for _, m := range f.GetMetric() {
			label := ""
			for _, l := range m.GetLabel() {
				if l.GetName() == "service" {
					label = l.GetValue()
				}
			}
			switch {
			case m.Gauge != nil:
				s[name][label] = m.GetGauge().GetValue()
			case m.Counter != nil:
				s[name][label] = m.GetCounter().GetValue()
			default:
				s[name][label] = 1 // present (summaries, histograms of the Go collector)
			}
		}
	}
	return s, r.body
}

// startService makes the service directory parent/name with run and the
// files given (name → content) and runs supervise (a path) on it, with a
// logger (log/run: multilog t ./main, unless files has one) fed by a
// pipe as svscan does when logged. At cleanup it stops the service and the supervisor (svc -dx),
// the logger after them.
func startService(t testing.TB, supervise, parent, name, run string, files map[string]string, logged bool) *svtest.Service {
	t.Helper()
	s := &svtest.Service{Parent: parent, Name: name, Dir: filepath.Join(parent, name)}
	mode := os.FileMode(0o755)
	if files["-x"] != "" {
		mode = 0o644 // a run that cannot be executed
	}
	testutil.WriteFile(t, s.Path(layout.Run), run, mode)
	for f, c := range files {
		if f != "-x" {
			testutil.WriteFile(t, s.Path(f), c, 0o644)
		}
	}
	env := append(os.Environ(), "PATH="+binPath(t))
	o := testutil.Options{Dir: parent, Env: env}
	var lg *svtest.Service
	var lp *testutil.Proc
	if logged {
		if files["log/run"] == "" {
			testutil.WriteFile(t, s.Path("log/run"), "#!/bin/sh\nexec 2>&1\nexec multilog t ./main\n", 0o755)
		} else {
			os.Chmod(s.Path("log/run"), 0o755) //nolint:errcheck // supervise tells
		}
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		lg = &svtest.Service{Parent: s.Dir, Name: layout.Log, Dir: s.Path(layout.Log)}
		lp = testutil.Start(t, testutil.Options{Dir: s.Dir, Env: env, StdinF: r}, supervise, layout.Log)
		r.Close()
		defer w.Close()
		o.StdoutF = w
		lg.WaitRunning(t, lp)
	}
	p := testutil.Start(t, o, supervise, name)
	s.WaitRunning(t, p)
	t.Cleanup(func() {
		// Both at once: a logger stopped after its service would see
		// the end of its input and be restarted first.
		if lg != nil {
			stopping(t, lg, lp)
		}
		stopping(t, s, p)
		if lg != nil {
			stopped(t, lg, lp)
		}
		stopped(t, s, p)
	})
	return s
}

// stopping tells the service and its supervisor to stop (svc -dcx).
func stopping(t testing.TB, s *svtest.Service, p *testutil.Proc) {
	if !p.Exited() {
		s.Control(t, "dcx")
	}
}

// stopped waits for the supervisor to exit, killing a service that
// ignores TERM after 3 seconds.
func stopped(t testing.TB, s *svtest.Service, p *testutil.Proc) {
	for end := time.Now().Add(3 * time.Second); !p.Exited() && time.Now().Before(end); {
		time.Sleep(10 * time.Millisecond)
	}
	if !p.Exited() {
		s.Control(t, "k")
	}
	p.Wait(t, svtest.Deadline)
}

// waitFor waits until the service directory dir satisfies cond.
func waitFor(t testing.TB, dir, what string, cond func(s svstate.Service) bool) {
	t.Helper()
	testutil.Eventually(t, svtest.Deadline, dir+": "+what, func() (bool, string) {
		s := svstate.Probe(dir)
		st := s.Status()
		return cond(s), st.State + " " + st.Source + " " + st.Error
	})
}

// writeRecord writes an 18-byte status record into dir/supervise, as
// supervise does: status.new, then a rename.
func writeRecord(t testing.TB, dir string, pid uint32, want byte) {
	t.Helper()
	b := status.Status{When: tai64.Now(), Pid: pid, Want: want}.Encode()
	writeFile(t, dir, layout.StatusNew, string(b[:]))
	if err := os.Rename(filepath.Join(dir, layout.StatusNew), filepath.Join(dir, layout.Status)); err != nil {
		t.Fatal(err)
	}
}

// writeFile writes dir/name.
func writeFile(t testing.TB, dir, name, content string) {
	t.Helper()
	testutil.WriteFile(t, filepath.Join(dir, name), content, 0o644)
}

// binPath is $PATH with our commands first.
func binPath(t testing.TB) string {
	return testutil.BinDir(t) + ":" + os.Getenv("PATH")
}
