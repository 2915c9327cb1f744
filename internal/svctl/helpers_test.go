package svctl

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/tai64"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) {
	if os.Getenv("SVCTL_TEST_NOTIFY_DAEMON") != "" {
		notifyDaemon()
	}
	testutil.Main(m)
}

// notifyDaemon is the test binary as a daemon built for systemd's
// Type=notify: once a line arrives on the FIFO ./trigger it sends READY=1
// to $NOTIFY_SOCKET, as sd_notify(3) does, then waits to be killed. Its
// start-up is over before the trigger, so the latency measured from the
// trigger is svctl's and supervise's, not a process start's.
func notifyDaemon() {
	addr := os.Getenv("NOTIFY_SOCKET")
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		os.Exit(1)
	}
	f, err := os.Open("trigger")
	if err != nil {
		os.Exit(1)
	}
	buf := make([]byte, 16)
	f.Read(buf)
	c.Write([]byte("READY=1"))
	select {}
}

const sleeper = "#!/bin/sh\nexec sleep 1000\n"

// impl is a supervise to run services under: ours or Debian's.
type impl struct {
	name      string
	supervise func(t testing.TB) string
}

var impls = []impl{
	{"ours", func(t testing.TB) string { return testutil.Bin(t, "supervise") }},
	{"debian", func(t testing.TB) string { return testutil.Debian(t, "supervise") }},
}

// eachImpl runs f as parallel subtests, one per supervise.
func eachImpl(t *testing.T, f func(t *testing.T, im impl)) {
	t.Parallel()
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			t.Parallel()
			f(t, im)
		})
	}
}

// service makes a service directory name in parent with run as its run
// script and starts supervise on it (down: with a down file). At cleanup
// it tells supervise to stop the service and exit (svc -dx), and waits.
func service(t testing.TB, im impl, parent, name, run string, down bool) (*svtest.Service, *testutil.Proc) {
	t.Helper()
	s := &svtest.Service{Parent: parent, Name: name, Dir: filepath.Join(parent, name)}
	testutil.WriteFile(t, s.Path("run"), run, 0o755)
	if down {
		testutil.WriteFile(t, s.Path("down"), "", 0o644)
	}
	p := s.Start(t, im.supervise(t), "PATH="+os.Getenv("PATH"))
	t.Cleanup(func() {
		if p.Exited() {
			return
		}
		s.Control(t, "dcx")
		for end := time.Now().Add(3 * time.Second); !p.Exited() && time.Now().Before(end); {
			time.Sleep(10 * time.Millisecond)
		}
		if !p.Exited() {
			s.Control(t, "k") // a service that ignores TERM
		}
		p.Wait(t, svtest.Deadline)
	})
	return s, p
}

// svctl runs our svctl in dir.
func svctl(t testing.TB, dir string, args ...string) testutil.Result {
	t.Helper()
	return testutil.Run(t, testutil.Options{Dir: dir}, testutil.Bin(t, "svctl"), args...)
}

var (
	pidRE  = regexp.MustCompile(`pid [0-9]+`)
	secsRE = regexp.MustCompile(`\b[0-9]+s\b`)
)

// normalize replaces pids and seconds in status lines by N.
func normalize(s string) string {
	s = lastExitClockRE.ReplaceAllString(s, " at T;")
	return secsRE.ReplaceAllString(pidRE.ReplaceAllString(s, "pid N"), "Ns")
}

var lastExitClockRE = regexp.MustCompile(` at [0-9]{2}:[0-9]{2}:[0-9]{2};`)

// fake is a service directory with a fake supervisor (svtest.Fake holds
// its FIFOs) whose state the test sets, writing state.json and the status
// record as our supervise will: each through a .new file and a rename,
// state.json first.
type fake struct {
	dir  string
	fifo *svtest.Fake
	pid  int     // of the last record written
	when tai64.N // of the last record: the last pid change
}

func newFake(t testing.TB, parent, name string) *fake {
	dir := filepath.Join(parent, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &fake{dir: dir, fifo: svtest.NewFake(t, dir)}
}

// set writes r as state.json (unless recordOnly: then the 18-byte record
// alone, as Debian's supervise) and the matching status record, whose time
// changes with the pid only, as 0.76's.
func (f *fake) set(t testing.TB, r svstate.Record, recordOnly bool) {
	t.Helper()
	if r.Service == "" {
		r.Service = filepath.Base(f.dir)
	}
	if r.Normally == "" {
		r.Normally = svstate.WantUp
	}
	if r.Since == 0 {
		r.Since = time.Now().UnixNano()
	}
	if r.ExitCode == 0 && !r.HasExit {
		r.ExitCode, r.ExitSignal = -1, -1
	}
	if !recordOnly {
		f.replace(t, layout.StateNew, layout.State, string(svstate.AppendJSON(nil, &r)))
	}
	want := byte(status.WantOnce)
	switch r.Want {
	case svstate.WantUp:
		want = status.WantUp
	case svstate.WantDown:
		want = status.WantDown
	}
	if r.Pid != f.pid || f.when == (tai64.N{}) {
		f.pid, f.when = r.Pid, tai64.FromTime(time.Unix(0, r.Since))
	}
	st := status.Status{When: f.when, Pid: uint32(r.Pid), Paused: r.Paused, Want: want}
	b := st.Encode()
	f.replace(t, layout.StatusNew, layout.Status, string(b[:]))
}

func (f *fake) replace(t testing.TB, tmp, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(f.dir, tmp), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(f.dir, tmp), filepath.Join(f.dir, name)); err != nil {
		t.Fatal(err)
	}
}

// inProcess runs svctl in a goroutine, with every probe made while
// waiting sent on probes; done receives the result. Directories must be
// absolute (the test's working directory is shared).
type inProcess struct {
	probes chan svstate.Service
	done   chan error
	stderr *testutil.Buffer
}

func startInProcess(t testing.TB, args ...string) *inProcess {
	ip := &inProcess{probes: make(chan svstate.Service, 100), done: make(chan error, 1), stderr: &testutil.Buffer{}}
	stdout := &testutil.Buffer{}
	c := &cli{stdout: stdout, stderr: ip.stderr}
	c.log.Prog, c.log.W = "svctl", ip.stderr
	var once sync.Once
	c.observe = func(e *entry) {
		select {
		case ip.probes <- e.cur:
		default:
			once.Do(func() { t.Error("probes not taken") })
		}
	}
	go func() {
		ip.done <- c.main(append([]string{"svctl"}, args...))
	}()
	return ip
}

// next waits for the next probe.
func (ip *inProcess) next(t testing.TB) svstate.Service {
	t.Helper()
	select {
	case s := <-ip.probes:
		return s
	case err := <-ip.done:
		t.Fatalf("svctl returned %v before the next probe; stderr %q", err, ip.stderr.String())
	case <-time.After(svtest.Deadline):
		t.Fatal("no probe")
	}
	return svstate.Service{}
}

// until waits for a probe satisfying cond.
func (ip *inProcess) until(t testing.TB, cond func(svstate.Service) bool) svstate.Service {
	t.Helper()
	for {
		if s := ip.next(t); cond(s) {
			return s
		}
	}
}

// result waits for svctl to return.
func (ip *inProcess) result(t testing.TB) error {
	t.Helper()
	select {
	case err := <-ip.done:
		return err
	case <-time.After(svtest.Deadline):
		t.Fatal("svctl did not return")
	}
	return nil
}

// running reports whether svctl is still running.
func (ip *inProcess) running() bool {
	select {
	case err := <-ip.done:
		ip.done <- err
		return false
	default:
		return true
	}
}
