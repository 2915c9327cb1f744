package svctl

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// Status lines and exit codes of services under a real supervise: up,
// normally down, paused, wanted down but still up, no supervisor (dead,
// never started), no directory.
func TestStatusReal(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		parent := t.TempDir()
		service(t, im, parent, "up", sleeper, false)
		service(t, im, parent, "nd", sleeper, true)
		service(t, im, parent, "p", sleeper, false)
		service(t, im, parent, "stopped", sleeper, false)
		stubborn, sp := service(t, im, parent, "stubborn", "#!/bin/sh\ntrap '' TERM\nexec sleep 1000\n", false)
		svtest.MakeFIFOs(t, filepath.Join(parent, "dead"))
		os.Mkdir(filepath.Join(parent, "never"), 0o755)
		for _, dir := range []string{"up", "p", "stubborn", "stopped"} {
			(&svtest.Service{Dir: filepath.Join(parent, dir)}).WaitUp(t, 0)
		}
		if r := svctl(t, parent, "pause", "p"); r.Code != 0 {
			t.Fatalf("pause: %+v", r)
		}
		if r := svctl(t, parent, "down", "stopped"); r.Code != 0 {
			t.Fatalf("down: %+v", r)
		}
		if r := svctl(t, parent, "down", "-w", "0", "stubborn"); r.Code != 0 {
			t.Fatalf("down -w 0: %+v", r)
		}
		stubborn.WaitStatus(t, "want down", func(st status.Status) bool { return st.Want == 'd' })
		cases := []struct {
			dir, line string
			code      int
		}{
			{"up", "up: up (pid N) Ns; normally up", 0},
			{"nd", "nd: down Ns; normally down", 3},
			{"stopped", "stopped: down Ns; normally up", 3},
			{"p", "p: up (pid N) Ns, paused; normally up", 0},
			{"stubborn", "stubborn: up (pid N) Ns, want down; normally up", 0},
			{"dead", "dead: supervisor not running", 4},
			{"never", "never: supervisor not running", 4},
			{"missing", "missing: unable to open directory: file does not exist", 4},
		}
		stubbornCode := 0
		if im.name == "ours" { // state.json: readiness, the last exit, stopping
			cases[0].line = "up: up (pid N) Ns, ready Ns; normally up"
			cases[2].line = "stopped: down Ns; last exit SIGTERM at T; normally up"
			cases[3].line = "p: up (pid N) Ns, ready Ns, paused; normally up"
			cases[4].line, cases[4].code = "stubborn: stopping (pid N) Ns; normally up", 3
			stubbornCode = 3
		}
		var all, want []string
		for _, c := range cases {
			r := svctl(t, parent, "status", c.dir)
			if got := normalize(r.Stdout); got != c.line+"\n" || r.Code != c.code || r.Stderr != "" {
				t.Errorf("status %s: %q, exit %d, stderr %q; want %q, exit %d", c.dir, got, r.Code, r.Stderr, c.line, c.code)
			}
			all, want = append(all, c.dir), append(want, c.line)
		}
		r := svctl(t, parent, append([]string{"status"}, all...)...)
		if got := normalize(r.Stdout); got != strings.Join(want, "\n")+"\n" || r.Code != 4 {
			t.Errorf("all: %q, exit %d", got, r.Code)
		}
		if r := svctl(t, parent, "status", "up", "nd", "p"); r.Code != 3 {
			t.Errorf("up, down, paused: exit %d, want 3", r.Code)
		}
		if r := svctl(t, parent, "status", "up", "p", "stubborn"); r.Code != stubbornCode {
			t.Errorf("up, paused, stubborn: exit %d, want %d", r.Code, stubbornCode)
		}
		stubborn.Control(t, "xk")
		sp.Wait(t, svtest.Deadline)
	})
}

// The state.json path: the lines and exit codes of every state our
// supervise will write, readiness included.
func TestStatusState(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	now := time.Now()
	exit1 := svstate.Record{HasExit: true, ExitCode: 1, ExitSignal: -1, ExitAt: now.Add(-2 * time.Second).UnixNano()}
	for _, c := range []struct {
		name string
		r    svstate.Record
		line string
		code int
	}{
		{"ready", svstate.Record{State: svstate.Up, Pid: 4242, Want: svstate.WantUp, Ready: true, ReadySince: now.UnixNano(),
			Restarts: 3, HasExit: true, ExitCode: 1, ExitSignal: -1, ExitAt: exit1.ExitAt},
			"ready: up (pid N) Ns, ready Ns; restarts 3; last exit 1 at T; normally up", 0},
		{"starting", svstate.Record{State: svstate.Up, Pid: 7, Want: svstate.WantUp},
			"starting: up (pid N) Ns, not ready; normally up", 3},
		{"paused", svstate.Record{State: svstate.Up, Pid: 8, Want: svstate.WantUp, Ready: true, Paused: true},
			"paused: up (pid N) Ns, ready, paused; normally up", 0},
		{"backoff", svstate.Record{State: svstate.Backoff, Want: svstate.WantUp, Restarts: 5, BackoffUntil: now.Add(time.Hour).UnixNano(),
			HasExit: true, ExitCode: 1, ExitSignal: -1, ExitAt: exit1.ExitAt, StartError: "unable to start run: access denied"},
			"backoff: backoff Ns; restarts 5; last exit 1 at T; start error: unable to start run: access denied; backoff until T; normally up", 3},
		{"failed", svstate.Record{State: svstate.Failed, Want: svstate.WantUp, Normally: svstate.WantDown},
			"failed: failed Ns, want up; normally up", 3}, // the down file speaks, not state.json
		{"finishing", svstate.Record{State: svstate.Finishing, Want: svstate.WantDown},
			"finishing: finishing Ns; normally up", 3},
		{"stopping", svstate.Record{State: svstate.Stopping, Pid: 9, Want: svstate.WantDown, HasStatus: true, StatusText: "bye"},
			`stopping: stopping (pid N) Ns; status "bye"; normally up`, 3},
	} {
		newFake(t, parent, c.name).set(t, c.r, false)
		r := svctl(t, parent, "status", c.name)
		got := clockRE.ReplaceAllString(normalize(r.Stdout), "T")
		if got != c.line+"\n" || r.Code != c.code {
			t.Errorf("%s: %q, exit %d; want %q, exit %d", c.name, got, r.Code, c.line, c.code)
		}
	}
}

var clockRE = regexp.MustCompile(`([0-9]{4}-[0-9]{2}-[0-9]{2} )?[0-9]{2}:[0-9]{2}:[0-9]{2}`)

// status --json: one object per line, exactly svstate.Status, through
// encoding/json and through jq.
func TestStatusJSON(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	im := impls[1]
	testutil.Debian(t, "supervise")
	service(t, im, parent, "deb", sleeper, false)
	(&svtest.Service{Dir: filepath.Join(parent, "deb")}).WaitUp(t, 0)
	since := time.Date(2026, 12, 7, 20, 41, 18, 123456789, time.UTC)
	newFake(t, parent, "ours").set(t, svstate.Record{State: svstate.Up, Pid: 4242, Pgid: 4242, Want: svstate.WantUp,
		Since: since.UnixNano(), Ready: true, ReadySince: since.Add(time.Second).UnixNano(), Restarts: 2,
		HasExit: true, ExitCode: -1, ExitSignal: 15, ExitAt: since.UnixNano(), ExitRanMs: 1500,
		HasStatus: true, StatusText: "serving <all> & \"more\""}, false)
	r := svctl(t, parent, "status", "--json", "deb", "ours", "missing")
	if r.Code != 4 || r.Stderr != "" {
		t.Fatalf("%+v", r)
	}
	lines := testutil.SplitLines(r.Stdout)
	if len(lines) != 3 {
		t.Fatalf("%d lines: %q", len(lines), r.Stdout)
	}
	var got [3]svstate.Status
	for i, l := range lines {
		dec := json.NewDecoder(strings.NewReader(l))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got[i]); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, l)
		}
	}
	deb, ours, missing := got[0], got[1], got[2]
	if deb.Dir != "deb" || !deb.Supervised || deb.Source != svstate.FromRecord || deb.State != svstate.Up || deb.Pid == 0 ||
		!deb.Ready || deb.Want != svstate.WantUp || deb.Normally != svstate.WantUp || deb.Service != "deb" || deb.Error != "" {
		t.Errorf("deb: %+v", deb)
	}
	e := ours.LastExit
	if ours.Dir != "ours" || !ours.Supervised || ours.Source != svstate.FromState || ours.Pid != 4242 || ours.Pgid != 4242 ||
		!ours.Since.Equal(since) || ours.Restarts != 2 || ours.ReadySince == nil || !ours.ReadySince.Equal(since.Add(time.Second)) ||
		e == nil || e.Code != nil || e.Signal == nil || *e.Signal != 15 || e.RanMs != 1500 ||
		ours.StatusText == nil || *ours.StatusText != "serving <all> & \"more\"" {
		t.Errorf("ours: %+v", ours)
	}
	if missing.Dir != "missing" || missing.Supervised || missing.Source != "" || missing.Error != "file does not exist" {
		t.Errorf("missing: %+v", missing)
	}
	// Marshalled again, each object gives back its line.
	for i, l := range lines {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(got[i])
		if b.String() != l+"\n" {
			t.Errorf("round trip:\n%s\n%s", b.String(), l)
		}
	}

	jq, err := exec.LookPath("jq")
	if err != nil {
		t.Skip("requires jq (apt-get install jq)")
	}
	cmd := exec.Command(jq, "-r", `[.dir, .state, (.pid > 0), .supervised, .source, .ready, .restarts, (.last_exit.signal // "-"), (.status_text // "-"), (.error // "-")] | join(" ")`)
	cmd.Stdin = strings.NewReader(r.Stdout)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq: %v", err)
	}
	want := "deb up true true status true 0 - - -\n" +
		"ours up true true state.json true 2 15 serving <all> & \"more\" -\n" +
		"missing  false false  false 0 - - file does not exist\n"
	if string(out) != want {
		t.Errorf("jq:\n%s\nwant\n%s", out, want)
	}
}

// A status record of random bytes holds a time JSON cannot say: that
// service's object reports the error, and the others are printed still.
func TestStatusJSONTimeOutOfRange(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	newFake(t, parent, "good").set(t, svstate.Record{State: svstate.Up, Pid: 4242, Pgid: 4242, Want: svstate.WantUp}, true)
	bad := newFake(t, parent, "bad")
	bad.replace(t, layout.StatusNew, layout.Status, "\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x00\x00\x00\x00\x00\x00u")
	r := svctl(t, parent, "status", "--json", "bad", "good")
	lines := testutil.SplitLines(r.Stdout)
	if r.Stderr != "" || len(lines) != 2 {
		t.Fatalf("%+v", r)
	}
	var got [2]svstate.Status
	for i, l := range lines {
		if err := json.Unmarshal([]byte(l), &got[i]); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, l)
		}
	}
	if got[0].Dir != "bad" || !got[0].Supervised || got[0].Source != "" || !strings.HasPrefix(got[0].Error, "unable to show status: ") {
		t.Errorf("bad: %+v", got[0])
	}
	if got[1].Dir != "good" || got[1].Pid != 4242 || got[1].Error != "" {
		t.Errorf("good: %+v", got[1])
	}
}
