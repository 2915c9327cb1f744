package svctl

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// exitCode is the exit code that the error Main returned stands for.
func exitCode(err error) int {
	var ee *diag.ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return 111
	}
	return 0
}

// wait sends nothing and returns once the state is there: against a real
// supervise whose service another program starts and stops.
func TestWaitReal(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		parent := t.TempDir()
		a, _ := service(t, im, parent, "a", sleeper, true)
		b, _ := service(t, im, parent, "b", sleeper, false)
		b.WaitUp(t, 0)
		bin := testutil.Bin(t, "svctl")
		waiter := testutil.Start(t, testutil.Options{Dir: parent}, bin, "wait", "up", "-t", "20", "a", "b")
		a.Control(t, "u")
		if code := waiter.Wait(t, svtest.Deadline); code != 0 {
			t.Fatalf("wait up: exit %d, stderr %q", code, waiter.Stderr.String())
		}
		if st := a.Status(t); st.Pid == 0 {
			t.Fatalf("wait up returned before a was up: %s", svtest.Describe(st))
		}
		waiter = testutil.Start(t, testutil.Options{Dir: parent}, bin, "wait", "down", "a")
		a.Control(t, "d")
		if code := waiter.Wait(t, svtest.Deadline); code != 0 {
			t.Fatalf("wait down: exit %d, stderr %q", code, waiter.Stderr.String())
		}
		if st := a.Status(t); st.Pid != 0 {
			t.Fatalf("wait down returned before a was down: %s", svtest.Describe(st))
		}
		expect(t, "wait ready", svctl(t, parent, "wait", "ready", "b"), 0)
		expect(t, "wait --any", svctl(t, parent, "wait", "--any", "up", "a", "b"), 0)
		expect(t, "wait --any down", svctl(t, parent, "wait", "down", "--any", "a", "b"), 0)
		expect(t, "wait all", svctl(t, parent, "wait", "down", "-t", "0.2", "a", "b"), 1, "b: timed out after 0.2s waiting for down; now: up (pid ")
		expect(t, "wait --any missing", svctl(t, parent, "wait", "--any", "down", "missing", "a"), 0, "unable to open missing")
		expect(t, "wait --any none", svctl(t, parent, "wait", "--any", "-t", "0.1", "up", "a"), 1, "a: timed out")
	})
}

// A service directory without supervise/ is waited for until a supervisor
// starts there. With a down file, Debian's supervise writes its status
// before it opens supervise/ok: the opening is what tells.
func TestWaitForSupervisor(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		parent := t.TempDir()
		s := &svtest.Service{Parent: parent, Name: "s", Dir: filepath.Join(parent, "s")}
		testutil.WriteFile(t, s.Path("run"), sleeper, 0o755)
		testutil.WriteFile(t, s.Path("down"), "", 0o644)
		ip := startInProcess(t, "wait", "down", "-t", "30", s.Dir)
		if first := ip.next(t); first.Supervised || first.Err == nil {
			t.Fatalf("first probe: %+v", first)
		}
		p := s.Start(t, im.supervise(t), "PATH="+os.Getenv("PATH"))
		t.Cleanup(func() { s.Control(t, "dx"); p.Wait(t, svtest.Deadline) })
		if err := ip.result(t); err != nil {
			t.Fatalf("%v; stderr %q", err, ip.stderr.String())
		}
	})
}

// restart -w 5 against the state.json of our supervise: it sends "ru" and
// returns only once a new pid is up and ready, not when it is up.
func TestRestartWaitsForReady(t *testing.T) {
	t.Parallel()
	f := newFake(t, t.TempDir(), "s")
	t0 := time.Now().Add(-time.Minute).UnixNano()
	f.set(t, svstate.Record{State: svstate.Up, Pid: 100, Want: svstate.WantUp, Ready: true, Since: t0}, false)
	ip := startInProcess(t, "restart", "-w", "5", f.dir)
	ip.next(t)
	if got := f.fifo.Commands(); got != "ru" {
		t.Errorf("sent %q, want ru", got)
	}
	step := func(r svstate.Record, what string, cond func(s svstate.Service) bool) {
		t.Helper()
		f.set(t, r, false)
		ip.until(t, cond)
		// One more event: svctl probes again, so it had not returned.
		f.set(t, r, false)
		ip.until(t, cond)
		if !ip.running() {
			t.Fatalf("returned at %s", what)
		}
	}
	step(svstate.Record{State: svstate.Stopping, Pid: 100, Want: svstate.WantUp}, "stopping",
		func(s svstate.Service) bool { return s.Doc.State == svstate.Stopping })
	step(svstate.Record{State: svstate.Down, Want: svstate.WantUp}, "down",
		func(s svstate.Service) bool { return s.Doc.State == svstate.Down })
	step(svstate.Record{State: svstate.Up, Pid: 200, Want: svstate.WantUp}, "up, not ready",
		func(s svstate.Service) bool { return s.Source == svstate.FromState && s.Doc.Pid == 200 })
	f.set(t, svstate.Record{State: svstate.Up, Pid: 200, Want: svstate.WantUp, Ready: true}, false)
	if err := ip.result(t); err != nil {
		t.Fatalf("%v; stderr %q", err, ip.stderr.String())
	}
}

// A reused pid is a new instance when since is later.
func TestRestartSamePid(t *testing.T) {
	t.Parallel()
	f := newFake(t, t.TempDir(), "s")
	t0 := time.Now().Add(-time.Minute).UnixNano()
	f.set(t, svstate.Record{State: svstate.Up, Pid: 100, Want: svstate.WantUp, Ready: true, Since: t0}, false)
	ip := startInProcess(t, "restart", f.dir)
	ip.next(t)
	f.set(t, svstate.Record{State: svstate.Up, Pid: 100, Want: svstate.WantUp, Ready: true, Since: t0 + 1}, false)
	if err := ip.result(t); err != nil {
		t.Fatalf("%v; stderr %q", err, ip.stderr.String())
	}
}

// Without state.json (Debian's supervise) restart sends tcu.
func TestRestartRecord(t *testing.T) {
	t.Parallel()
	f := newFake(t, t.TempDir(), "s")
	f.set(t, svstate.Record{State: svstate.Up, Pid: 100, Want: svstate.WantUp, Since: time.Now().Add(-time.Minute).UnixNano()}, true)
	ip := startInProcess(t, "restart", f.dir)
	if s := ip.next(t); s.Source != svstate.FromRecord {
		t.Fatalf("source %q", s.Source)
	}
	if got := f.fifo.Commands(); got != "tcu" {
		t.Errorf("sent %q, want tcu", got)
	}
	f.set(t, svstate.Record{State: svstate.Up, Pid: 300, Want: svstate.WantUp}, true)
	if err := ip.result(t); err != nil {
		t.Fatalf("%v; stderr %q", err, ip.stderr.String())
	}
}

// up waits for ready; wait up does not; wait ready does.
func TestUpWaitsForReady(t *testing.T) {
	t.Parallel()
	f := newFake(t, t.TempDir(), "s")
	f.set(t, svstate.Record{State: svstate.Down, Want: svstate.WantDown}, false)
	up := startInProcess(t, "up", f.dir)
	up.next(t)
	if got := f.fifo.Commands(); got != "u" {
		t.Errorf("sent %q", got)
	}
	starting := svstate.Record{State: svstate.Up, Pid: 7, Want: svstate.WantUp}
	f.set(t, starting, false)
	up.until(t, func(s svstate.Service) bool { return s.Source == svstate.FromState && s.Doc.Pid == 7 })
	if err := startInProcess(t, "wait", "up", f.dir).result(t); err != nil {
		t.Errorf("wait up: %v", err)
	}
	ready := startInProcess(t, "wait", "ready", "-t", "30", f.dir)
	ready.next(t)
	f.set(t, starting, false)
	up.until(t, func(s svstate.Service) bool { return s.Source == svstate.FromState && s.Doc.Pid == 7 })
	ready.until(t, func(s svstate.Service) bool { return s.Source == svstate.FromState && s.Doc.Pid == 7 })
	if !up.running() || !ready.running() {
		t.Fatal("returned before ready")
	}
	starting.Ready = true
	f.set(t, starting, false)
	for _, ip := range []*inProcess{up, ready} {
		if err := ip.result(t); err != nil {
			t.Errorf("%v; stderr %q", err, ip.stderr.String())
		}
	}
}

// down: finishing is not down yet; backoff and failed are.
func TestDownStates(t *testing.T) {
	t.Parallel()
	for _, end := range []string{svstate.Backoff, svstate.Failed, svstate.Down} {
		t.Run(end, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, t.TempDir(), "s")
			f.set(t, svstate.Record{State: svstate.Up, Pid: 9, Want: svstate.WantUp, Ready: true}, false)
			ip := startInProcess(t, "wait", "down", "-t", "30", f.dir)
			ip.next(t)
			f.set(t, svstate.Record{State: svstate.Finishing, Want: svstate.WantUp}, false)
			ip.until(t, func(s svstate.Service) bool { return s.Doc.State == svstate.Finishing })
			f.set(t, svstate.Record{State: svstate.Finishing, Want: svstate.WantUp}, false)
			ip.until(t, func(s svstate.Service) bool { return s.Doc.State == svstate.Finishing })
			if !ip.running() {
				t.Fatal("finishing counted as down")
			}
			f.set(t, svstate.Record{State: end, Want: svstate.WantUp}, false)
			if err := ip.result(t); err != nil {
				t.Fatalf("%v; stderr %q", err, ip.stderr.String())
			}
		})
	}
}

// once: reached by a service that ran and ended since the command.
func TestOnceRanAndEnded(t *testing.T) {
	t.Parallel()
	f := newFake(t, t.TempDir(), "s")
	f.set(t, svstate.Record{State: svstate.Down, Want: svstate.WantDown, Since: time.Now().Add(-time.Minute).UnixNano()}, false)
	ip := startInProcess(t, "once", f.dir)
	ip.next(t)
	if got := f.fifo.Commands(); got != "o" {
		t.Errorf("sent %q", got)
	}
	f.set(t, svstate.Record{State: svstate.Down, Want: svstate.WantOnce}, false)
	if err := ip.result(t); err != nil {
		t.Fatalf("%v; stderr %q", err, ip.stderr.String())
	}
}

// pause and cont wait for the paused flag.
func TestPauseCont(t *testing.T) {
	t.Parallel()
	f := newFake(t, t.TempDir(), "s")
	up := svstate.Record{State: svstate.Up, Pid: 5, Want: svstate.WantUp, Ready: true}
	f.set(t, up, false)
	ip := startInProcess(t, "pause", f.dir)
	ip.next(t)
	up.Paused = true
	f.set(t, up, false)
	if err := ip.result(t); err != nil {
		t.Fatal(err)
	}
	ip = startInProcess(t, "cont", f.dir)
	ip.next(t)
	up.Paused = false
	f.set(t, up, false)
	if err := ip.result(t); err != nil {
		t.Fatal(err)
	}
	if got := f.fifo.Commands(); got != "pc" {
		t.Errorf("sent %q", got)
	}
}

// exit returns when the last reader of supervise/ok closes it (POLLERR),
// with no status written.
func TestExitSeesReaderClose(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "s")
	svtest.MakeFIFOs(t, dir)
	var fds []int
	for _, name := range []string{layout.Control, layout.OK} {
		fd, err := unix.Open(filepath.Join(dir, name), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		fds = append(fds, fd)
	}
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	(&fake{dir: dir}).set(t, svstate.Record{State: svstate.Down, Want: svstate.WantDown}, true)
	ip := startInProcess(t, "exit", "-w", "30", dir)
	ip.next(t)
	var b [8]byte
	if n, _ := unix.Read(fds[0], b[:]); string(b[:n]) != "x" {
		t.Errorf("sent %q", b[:n])
	}
	unix.Close(fds[1])
	fds = fds[:1]
	if err := ip.result(t); err != nil {
		t.Fatal(err)
	}
}

// wait --any returns at the first; the timeout names every one.
func TestWaitAny(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	a, b := newFake(t, parent, "a"), newFake(t, parent, "b")
	down := svstate.Record{State: svstate.Down, Want: svstate.WantDown}
	a.set(t, down, false)
	b.set(t, down, false)
	ip := startInProcess(t, "wait", "--any", "-t", "30", "ready", a.dir, b.dir)
	ip.next(t)
	ip.next(t)
	b.set(t, svstate.Record{State: svstate.Up, Pid: 3, Want: svstate.WantUp, Ready: true}, false)
	if err := ip.result(t); err != nil {
		t.Fatal(err)
	}
	ip = startInProcess(t, "wait", "--any", "-t", "0.05", "down", b.dir, b.dir)
	if err := ip.result(t); exitCode(err) != 1 {
		t.Fatalf("exit %d (%v)", exitCode(err), err)
	}
	want := "svctl: warning: " + b.dir + ": timed out after 0.05s waiting for down; now: up (pid N) Ns, ready; normally up\n"
	if got := normalize(ip.stderr.String()); got != normalize(want+want) {
		t.Errorf("stderr %q\nwant %q", got, want+want)
	}
}
