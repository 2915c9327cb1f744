package svctl

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/svstate"
)

func ptr[T any](v T) *T { return &v }

// Every part of the grammar, from hand-made documents, at a fixed now.
func TestAppendLine(t *testing.T) {
	now := time.Date(2026, 12, 7, 8, 12, 15, 500_000_000, time.Local)
	ago := func(s int) time.Time { return now.Add(-time.Duration(s) * time.Second) }
	doc := func(state string, pid int, since time.Time) svstate.Doc {
		return svstate.Doc{Version: 1, State: state, Pid: pid, Since: since, Want: svstate.WantUp, Normally: svstate.WantUp}
	}
	ours := func(d svstate.Doc) svstate.Service {
		return svstate.Service{Supervised: true, Source: svstate.FromState, Doc: d}
	}
	debian := func(d svstate.Doc) svstate.Service {
		return svstate.Service{Supervised: true, Source: svstate.FromRecord, Doc: d}
	}
	upReady := doc(svstate.Up, 4242, ago(12))
	upReady.Ready, upReady.ReadySince, upReady.Restarts = true, ptr(ago(11)), 3
	upReady.LastExit = &svstate.Exit{Code: ptr(1), At: time.Date(2026, 12, 7, 8, 12, 3, 0, time.Local)}

	notReady := doc(svstate.Up, 7, ago(2))
	readyNoSince := doc(svstate.Up, 7, ago(2))
	readyNoSince.Ready = true

	pausedWantDown := doc(svstate.Up, 51, ago(3600))
	pausedWantDown.Paused, pausedWantDown.Want, pausedWantDown.Normally, pausedWantDown.Ready = true, svstate.WantDown, svstate.WantDown, true

	downWantUp := doc(svstate.Down, 0, ago(5))
	downWantUp.StartError = ptr("unable to start run: access denied")
	downWantUp.LastExit = &svstate.Exit{Signal: ptr(9), At: ago(30)}

	backoff := doc(svstate.Backoff, 0, ago(2))
	backoff.Restarts, backoff.BackoffUntil = 7, ptr(now.Add(3*time.Second))
	backoff.LastExit = &svstate.Exit{Signal: ptr(11), Core: true, At: ago(2)}

	failed := doc(svstate.Failed, 0, ago(9))
	failed.LastExit = &svstate.Exit{At: ago(9)} // unknown: an adopted instance
	stopping := doc(svstate.Stopping, 99, ago(1))
	stopping.Want = svstate.WantDown
	finishing := doc(svstate.Finishing, 0, now.Add(time.Hour)) // a future time counts 0
	status := doc(svstate.Up, 8, ago(4))
	status.Ready, status.StatusText = true, ptr("Processing \"requests\"…\n")
	oddError := doc(svstate.Down, 0, ago(1))
	oddError.Want, oddError.StartError = svstate.WantDown, ptr("bad\x01name\\ \xff é;")
	yesterday := doc(svstate.Down, 0, ago(86400))
	yesterday.LastExit = &svstate.Exit{Code: ptr(0), At: time.Date(2026, 12, 6, 23, 59, 59, 0, time.Local)}
	signal := doc(svstate.Down, 0, ago(1))
	signal.LastExit = &svstate.Exit{Signal: ptr(200), At: ago(1)}

	recUp := doc(svstate.Up, 4242, ago(12))
	recUp.Ready, recUp.ReadySince = true, ptr(ago(12))
	recDownWantUp := doc(svstate.Down, 0, ago(5))
	recOnce := doc(svstate.Up, 12, ago(5))
	recOnce.Want, recOnce.Ready = svstate.WantOnce, true

	for _, c := range []struct {
		s    svstate.Service
		want string
		code int
	}{
		{ours(upReady), "up (pid 4242) 12s, ready 11s; restarts 3; last exit 1 at 08:12:03; normally up", 0},
		{ours(notReady), "up (pid 7) 2s, not ready; normally up", 3},
		{ours(readyNoSince), "up (pid 7) 2s, ready; normally up", 0},
		{ours(pausedWantDown), "up (pid 51) 3600s, ready, paused, want down; normally down", 0},
		{ours(downWantUp), "down 5s, want up; last exit SIGKILL at 08:11:45; start error: unable to start run: access denied; normally up", 3},
		{ours(backoff), "backoff 2s; restarts 7; last exit SIGSEGV (core dumped) at 08:12:13; backoff until 08:12:18; normally up", 3},
		{ours(failed), "failed 9s, want up; last exit unknown at 08:12:06; normally up", 3},
		{ours(stopping), "stopping (pid 99) 1s; normally up", 3},
		{ours(finishing), "finishing 0s, want up; normally up", 3},
		{ours(status), `up (pid 8) 4s, ready; status "Processing \"requests\"…\n"; normally up`, 0},
		{ours(oddError), `down 1s; start error: bad\x01name\\ \xff é;; normally up`, 3},
		{ours(yesterday), "down 86400s, want up; last exit 0 at 2026-12-06 23:59:59; normally up", 3},
		{ours(signal), "down 1s, want up; last exit signal 200 at 08:12:14; normally up", 3},
		// Debian's supervise: no readiness, nothing but the record.
		{debian(recUp), "up (pid 4242) 12s; normally up", 0},
		{debian(recDownWantUp), "down 5s, want up; normally up", 3},
		{debian(recOnce), "up (pid 12) 5s; normally up", 0},
		{svstate.Service{Source: svstate.FromRecord, Doc: recUp}, "supervisor not running", 4},
		{svstate.Service{}, "supervisor not running", 4},
		{svstate.Service{Supervised: true, Err: unix.ENOENT}, "unable to read status: file does not exist", 4},
		{svstate.Service{Supervised: true, Err: errors.New("bad format")}, "unable to read status: bad format", 4},
	} {
		if got := string(AppendLine(nil, &c.s, now)); got != c.want {
			t.Errorf("got  %s\nwant %s", got, c.want)
		}
		if got := statusCode(&c.s); got != c.code {
			t.Errorf("%s: exit code %d, want %d", c.want, got, c.code)
		}
	}
}

func TestParseOptions(t *testing.T) {
	for _, c := range []struct {
		allowed string
		args    []string
		rest    []string
		o       options
		err     string
	}{
		{"json", []string{"--json", "a", "--json"}, []string{"a", "--json"}, options{json: true}, ""},
		{"json", []string{"--", "--json"}, []string{"--json"}, options{}, ""},
		{"json", []string{"-", "a"}, []string{"-", "a"}, options{}, ""},
		{"w", []string{"-w", "2.5", "a"}, []string{"a"}, options{wait: 2500 * time.Millisecond}, ""},
		{"w", []string{"-w0", "a"}, []string{"a"}, options{}, ""},
		{"w", []string{"--wait=3", "a"}, []string{"a"}, options{wait: 3 * time.Second}, ""},
		{"w", []string{"--wait", "1", "a"}, []string{"a"}, options{wait: time.Second}, ""},
		{"t any", []string{"--any", "-t", "0.001", "a"}, []string{"a"}, options{any: true, wait: time.Millisecond}, ""},
		{"w", []string{"-w"}, nil, options{}, "option -w requires SECS"},
		{"w", []string{"-w", "-1", "a"}, nil, options{}, `-w: not a number of seconds: "-1"`},
		{"w", []string{"-w", "NaN", "a"}, nil, options{}, `-w: not a number of seconds: "NaN"`},
		{"w", []string{"-wx", "a"}, nil, options{}, `-w: not a number of seconds: "x"`},
		{"w", []string{"-w", "1e300", "a"}, nil, options{}, `-w: not a number of seconds: "1e300"`},
		{"w", []string{"-t", "1", "a"}, nil, options{}, "unknown option -t"},
		{"json", []string{"--any", "a"}, nil, options{}, "unknown option --any"},
		{"json", []string{"-x", "a"}, nil, options{}, "unknown option -x"},
		{"json", []string{"--json=1", "a"}, nil, options{}, "option --json takes no value"},
		{"json", []string{"--help", "a"}, nil, options{}, "help"},
		{"json", []string{"-h"}, nil, options{}, "help"},
	} {
		var o options
		rest, err := parseOptions(&o, c.allowed, c.args)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != c.err || err == nil && (o != c.o || !equal(rest, c.rest)) {
			t.Errorf("%q: %+v %q %q, want %+v %q %q", c.args, o, rest, got, c.o, c.rest, c.err)
		}
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
