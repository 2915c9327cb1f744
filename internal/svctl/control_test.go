package svctl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svdir"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// expect fails the test unless r exited with code and its stderr contains
// every one of errs (is empty, without any).
func expect(t *testing.T, what string, r testutil.Result, code int, errs ...string) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("%s: exit %d, want %d; stderr %q", what, r.Code, code, r.Stderr)
	}
	if len(errs) == 0 && r.Stderr != "" {
		t.Fatalf("%s: stderr %q", what, r.Stderr)
	}
	for _, e := range errs {
		if !strings.Contains(r.Stderr, e) {
			t.Fatalf("%s: stderr %q lacks %q", what, r.Stderr, e)
		}
	}
}

// Every control verb that waits has reached its state when svctl returns:
// the status record read right after shows it, without any waiting.
func TestControlWaits(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		parent := t.TempDir()
		s, p := service(t, im, parent, "s", sleeper, true)
		run := func(args ...string) { t.Helper(); expect(t, strings.Join(args, " "), svctl(t, parent, args...), 0) }

		run("up", "s")
		first := s.Status(t)
		if first.Pid == 0 || first.Want != status.WantUp {
			t.Fatalf("after up: %s", svtest.Describe(first))
		}
		run("pause", "s")
		if st := s.Status(t); !st.Paused {
			t.Fatalf("after pause: %s", svtest.Describe(st))
		}
		run("cont", "s")
		if st := s.Status(t); st.Paused {
			t.Fatalf("after cont: %s", svtest.Describe(st))
		}
		run("restart", "-w", "5", "s")
		second := s.Status(t)
		if second.Pid == 0 || second.Pid == first.Pid {
			t.Fatalf("after restart: %s, before %s", svtest.Describe(second), svtest.Describe(first))
		}
		run("down", "s")
		if st := s.Status(t); st.Pid != 0 || st.Want != status.WantDown {
			t.Fatalf("after down: %s", svtest.Describe(st))
		}
		run("once", "s")
		if st := s.Status(t); st.Pid == 0 || st.Want != status.WantOnce {
			t.Fatalf("after once: %s", svtest.Describe(st))
		}
		run("restart", "s") // once: restart starts it again, and for good
		if st := s.Status(t); st.Pid == 0 || st.Want != status.WantUp {
			t.Fatalf("after restart of a once service: %s", svtest.Describe(st))
		}
		run("down", "s")
		run("restart", "s") // down: restart starts it
		if st := s.Status(t); st.Pid == 0 {
			t.Fatalf("after restart of a down service: %s", svtest.Describe(st))
		}
		run("down", "-w", "0", "s")
		run("exit", "s")
		if ok, err := svdir.Running(dirfd(t, s.Dir)); ok || err != nil {
			t.Fatalf("after exit: supervise still running (%v)", err)
		}
		if st := s.Status(t); st.Pid != 0 {
			t.Fatalf("after exit: %s", svtest.Describe(st))
		}
		if code := p.Wait(t, svtest.Deadline); code != 0 {
			t.Errorf("supervise exited %d", code)
		}
		run("exit", "s") // gone already
	})
}

func dirfd(t testing.TB, dir string) int {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// A run script that logs the signals it gets, one a line, in ./signals.
const trapper = `#!/bin/sh
for s in HUP ALRM INT QUIT USR1 USR2; do trap "echo $s >> signals" $s; done
trap 'kill $p; exit 0' TERM
echo started >> signals
while :; do sleep 1000 & p=$!; wait $p; kill $p 2>/dev/null; done
`

// The signal verbs deliver their signal; term and kill end the process,
// which supervise starts again. (Debian's supervise knows no q, 1, 2.)
func TestSignalVerbs(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		parent := t.TempDir()
		s, _ := service(t, im, parent, "s", trapper, false)
		log := s.Path("signals")
		seen := func(line string) {
			t.Helper()
			testutil.Eventually(t, svtest.Deadline, line+" in "+log, func() (bool, string) {
				b, _ := os.ReadFile(log)
				return strings.Contains(string(b), line+"\n"), string(b)
			})
		}
		seen("started")
		verbs := []struct{ verb, signal string }{{"hup", "HUP"}, {"alarm", "ALRM"}, {"interrupt", "INT"}}
		if im.name == "ours" {
			verbs = append(verbs, []struct{ verb, signal string }{{"quit", "QUIT"}, {"usr1", "USR1"}, {"usr2", "USR2"}}...)
		}
		for _, c := range verbs {
			expect(t, c.verb, svctl(t, parent, c.verb, "s"), 0)
			seen(c.signal)
		}
		before := s.Status(t)
		expect(t, "term", svctl(t, parent, "term", "s"), 0)
		s.WaitUp(t, before.Pid)
		sl, _ := service(t, im, parent, "sleeper", sleeper, false)
		first := sl.WaitUp(t, 0)
		expect(t, "kill", svctl(t, parent, "kill", "sleeper"), 0)
		sl.WaitUp(t, first.Pid)
	})
}

// Timeouts exit 1 and name the service and what it does; the others
// still reach their state.
func TestTimeouts(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		parent := t.TempDir()
		stubborn, sp := service(t, im, parent, "stubborn", "#!/bin/sh\ntrap '' TERM\nexec sleep 1000\n", false)
		service(t, im, parent, "meek", sleeper, false)
		service(t, im, parent, "nd", sleeper, true)
		stubborn.WaitUp(t, 0)
		(&svtest.Service{Dir: filepath.Join(parent, "meek")}).WaitUp(t, 0)
		// supervise reads no command for a second after a start: -w 5.
		r := svctl(t, parent, "down", "-w", "5", "stubborn", "meek")
		now, wantDown := "up", ", want down; normally up"
		if im.name == "ours" { // state.json says stopping
			now, wantDown = "stopping", "; normally up"
		}
		expect(t, "down", r, 1, "svctl: warning: stubborn: timed out after 5s waiting for down; now: "+now+" (pid ", wantDown)
		if strings.Contains(r.Stderr, "meek") || len(testutil.SplitLines(r.Stderr)) != 1 {
			t.Errorf("stderr names more than stubborn: %q", r.Stderr)
		}
		expect(t, "status meek", svctl(t, parent, "status", "meek"), 3)
		expect(t, "down again", svctl(t, parent, "down", "-w", "0.1", "stubborn"), 1,
			"svctl: warning: stubborn: timed out after 0.1s waiting for down; now: "+now+" (pid ")
		expect(t, "exit", svctl(t, parent, "exit", "-w", "0.3", "stubborn"), 1,
			"stubborn: timed out after 0.3s waiting for its supervisor to exit; now: "+now+" (pid ")
		expect(t, "wait up", svctl(t, parent, "wait", "up", "-t", "0.2", "nd", "stubborn"), 1,
			"svctl: warning: nd: timed out after 0.2s waiting for up; now: down ")
		expect(t, "wait -t 0", svctl(t, parent, "wait", "-t", "0", "up", "nd"), 1, "nd: timed out after 0s waiting for up")
		if im.name == "ours" { // stopping is not up
			expect(t, "wait -t 0 up", svctl(t, parent, "wait", "-t", "0", "up", "stubborn"), 1, "stubborn: timed out after 0s waiting for up; now: stopping (pid ")
		} else {
			expect(t, "wait -t 0 up", svctl(t, parent, "wait", "-t", "0", "up", "stubborn"), 0)
		}
		stubborn.Control(t, "xk")
		sp.Wait(t, svtest.Deadline)
	})
}

// Directories without a running supervisor: the control verbs fail with
// 111 at once, naming them; exit counts a supervisor gone as done.
func TestNoSupervisor(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	svtest.MakeFIFOs(t, filepath.Join(parent, "dead"))
	os.Mkdir(filepath.Join(parent, "never"), 0o755)
	f := newFake(t, parent, "live")
	for _, c := range []struct {
		args []string
		code int
		errs []string
	}{
		{[]string{"up", "dead"}, 111, []string{"svctl: warning: unable to control dead: supervisor not running\n"}},
		{[]string{"up", "-w", "0", "dead"}, 111, []string{"svctl: warning: unable to control dead: supervisor not running\n"}},
		{[]string{"hup", "dead"}, 111, []string{"svctl: warning: unable to control dead: supervisor not running\n"}},
		{[]string{"down", "never"}, 111, []string{"svctl: warning: unable to control never: unable to open supervise/control: file does not exist\n"}},
		{[]string{"down", "missing"}, 111, []string{"svctl: warning: unable to open missing: file does not exist\n"}},
		{[]string{"restart", "dead", "missing"}, 111, []string{"unable to control dead: supervisor not running", "unable to open missing: file does not exist"}},
		{[]string{"exit", "dead"}, 0, nil},
		{[]string{"exit", "-w", "0", "dead"}, 0, nil},
		{[]string{"wait", "up", "missing"}, 111, []string{"svctl: warning: unable to open missing: file does not exist\n"}},
		{[]string{"wait", "up", "-t", "0.1", "dead"}, 1, []string{"svctl: warning: dead: timed out after 0.1s waiting for up; now: supervisor not running\n"}},
		{[]string{"wait", "down", "-t", "0.1", "never"}, 1, []string{"never: timed out after 0.1s waiting for down; now: supervisor not running\n"}},
		{[]string{"status", "never", "live", "dead"}, 4, nil},
	} {
		r := svctl(t, parent, c.args...)
		expect(t, strings.Join(c.args, " "), r, c.code, c.errs...)
	}
	if got := f.fifo.Commands(); got != "" {
		t.Errorf("live got %q", got)
	}
}

// Usage errors print a usage line and exit 100; --help works on every verb.
func TestUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, c := range []struct{ args, err string }{
		{"", "svctl: usage: svctl VERB [OPTIONS] DIR... (svctl help: the verbs)\n"},
		{"frob x", "svctl: unknown verb \"frob\"\nsvctl: usage: svctl VERB [OPTIONS] DIR... (svctl help: the verbs)\n"},
		{"help frob", "svctl: unknown verb \"frob\"\n"},
		{"help up down", "svctl: help takes one verb\n"},
		{"status", "svctl: status: no DIR given\nsvctl: usage: svctl status [--json] DIR...\n"},
		{"status -w 1 x", "svctl: status: unknown option -w\n"},
		{"up", "svctl: up: no DIR given\nsvctl: usage: svctl up [-w SECS] DIR...\n"},
		{"up -w", "svctl: up: option -w requires SECS\n"},
		{"restart -w soon x", "svctl: restart: -w: not a number of seconds: \"soon\"\nsvctl: usage: svctl restart [-w SECS] DIR...\n"},
		{"hup -w 1 x", "svctl: hup: unknown option -w\nsvctl: usage: svctl hup DIR...\n"},
		{"wait", "svctl: wait: no state given (up, ready or down)\n"},
		{"wait sideways x", "svctl: wait: unknown state \"sideways\" (up, ready or down)\n"},
		{"wait restart x", "svctl: wait: unknown state \"restart\" (up, ready or down)\n"},
		{"wait up", "svctl: wait: no DIR given\nsvctl: usage: svctl wait [-t SECS] [--any] up|ready|down DIR...\n"},
		{"wait up -w 1 x", "svctl: wait: unknown option -w\n"},
		{"status --json=yes x", "svctl: status: option --json takes no value\n"},
	} {
		r := svctl(t, dir, strings.Fields(c.args)...)
		if r.Code != 100 || !strings.HasPrefix(r.Stderr, c.err) || r.Stdout != "" || !strings.Contains(r.Stderr, "svctl: usage: svctl ") {
			t.Errorf("svctl %s: %+v; want 100 and %q", c.args, r, c.err)
		}
	}
	overview := svctl(t, dir, "--help")
	for _, args := range [][]string{{"help"}, {"-h"}} {
		if r := svctl(t, dir, args...); r != overview {
			t.Errorf("%v: %+v", args, r)
		}
	}
	if overview.Code != 0 || !strings.HasPrefix(overview.Stdout, "usage: svctl VERB") {
		t.Errorf("--help: %+v", overview)
	}
	for _, v := range verbs {
		if !strings.Contains(overview.Stdout, "  "+v.name+" ") && !strings.Contains(overview.Stdout, " "+v.name+" DIR") &&
			!strings.Contains(overview.Stdout, "| "+v.name+" ") {
			t.Errorf("--help lacks %s", v.name)
		}
		want := "usage: svctl " + v.usage + "\n\n"
		for _, args := range [][]string{{v.name, "--help"}, {v.name, "-h", "x"}, {"help", v.name}} {
			r := svctl(t, dir, args...)
			if r.Code != 0 || r.Stderr != "" || !strings.HasPrefix(r.Stdout, want) || len(r.Stdout) < len(want)+40 {
				t.Errorf("%v: %+v", args, r)
			}
		}
	}
	if r := svctl(t, dir, "wait", "up", "--help"); r.Code != 0 || !strings.HasPrefix(r.Stdout, "usage: svctl wait") {
		t.Errorf("wait up --help: %+v", r)
	}
}
