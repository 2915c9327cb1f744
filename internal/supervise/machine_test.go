package supervise

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

const base = 1_700_000_000 + tai64.Offset

// at returns the time of step i of a scenario: every step has its own second.
func at(i int) Clock {
	return Clock{Wall: tai64.N{Sec: base + uint64(i), Nano: 500}, Mono: time.Duration(i) * time.Second}
}

// show renders actions compactly: announce(PID WANT PAUSED @STEP) where STEP
// is the scenario step whose time the record carries.
//
// Publish (the extended status only) is left out: these tests are about
// 0.76's records; TestPublish checks it.
func show(acts []Action) string {
	var b strings.Builder
	for _, a := range acts {
		if a.Kind == Publish {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		switch a.Kind {
		case Announce:
			w := "0"
			if a.Status.Want != 0 {
				w = string(rune(a.Status.Want))
			}
			p := 0
			if a.Status.Paused {
				p = 1
			}
			fmt.Fprintf(&b, "announce(%d %s %d @%d)", a.Status.Pid, w, p, int64(a.Status.When.Sec)-int64(base))
		case Kill:
			fmt.Fprintf(&b, "kill(%d %d)", a.Pid, int(a.Signal))
		case Arm:
			if a.Timer == HoldTimer {
				fmt.Fprintf(&b, "hold(%v)", a.After)
			} else {
				fmt.Fprintf(&b, "arm(%v %v)", a.Timer, a.After)
			}
		case Cancel:
			fmt.Fprintf(&b, "cancel(%v)", a.Timer)
		case Cleanup:
			w := ""
			if a.Watch {
				w = " watch"
			}
			fmt.Fprintf(&b, "cleanup(%d%s)", int(a.Signal), w)
		case SpawnFinish:
			fmt.Fprintf(&b, "finish(%d %d)", a.Exit.Code, a.Exit.Signal)
		default:
			b.WriteString(a.Kind.String())
		}
	}
	return b.String()
}

type step struct {
	ev    Event
	acts  string // show() of the actions
	state State
}

func ev(k Kind) Event          { return Event{Kind: k} }
func cmd(c byte) Event         { return Command(c) }
func startedPid(pid int) Event { return Event{Kind: Started, Pid: pid} }
func exitPid(pid int) Event    { return Event{Kind: Exit, Pid: pid} }
func bootWith(down bool) Event { return Event{Kind: Boot, Down: down} }
func run(t *testing.T, steps []step) *Machine {
	t.Helper()
	m := New()
	for i, s := range steps {
		acts, err := m.Handle(s.ev, at(i), nil)
		if err != nil {
			t.Fatalf("step %d (%v in %v): %v", i, s.ev.Kind, m.State(), err)
		}
		if got := show(acts); got != s.acts {
			t.Errorf("step %d (%v): actions\n got %s\nwant %s", i, s.ev.Kind, got, s.acts)
		}
		if m.State() != s.state {
			t.Errorf("step %d (%v): state %v, want %v", i, s.ev.Kind, m.State(), s.state)
		}
	}
	return m
}

// upSteps brings a service up: boot (step 0), enter (1), started pid 100
// (2), pause over (3).
var upSteps = []step{
	{bootWith(false), "announce(0 u 0 @0)", Booted},
	{ev(Enter), "spawn", Spawning},
	{startedPid(100), "announce(100 u 0 @2) hold(1s)", StartHold},
	{ev(Timer), "announce(100 u 0 @2)", Up},
}

// downSteps boots with a down file: boot (0), enter (1).
var downSteps = []step{
	{bootWith(true), "announce(0 d 0 @0)", Booted},
	{ev(Enter), "announce(0 d 0 @0)", Down},
}

func then(prefix []step, more ...step) []step {
	return append(append([]step{}, prefix...), more...)
}

func TestBoot(t *testing.T) {
	t.Run("up", func(t *testing.T) { run(t, upSteps) })
	t.Run("down", func(t *testing.T) { run(t, downSteps) })
}

// Every control byte while the service runs (§2.8), with the exact order of
// status writes and signals.
func TestCommandsUp(t *testing.T) {
	for _, c := range []struct {
		b    byte
		acts string
		want Want
	}{
		{'u', "announce(100 u 0 @2)", WantUp},
		{'d', "kill(100 15) kill(100 18) announce(100 d 0 @2)", WantDown},
		{'o', "announce(100 0 0 @2)", WantOnce},
		{'p', "announce(100 u 1 @2) kill(100 19)", WantUp},
		{'c', "announce(100 u 0 @2) kill(100 18)", WantUp},
		{'h', "kill(100 1)", WantUp},
		{'a', "kill(100 14)", WantUp},
		{'i', "kill(100 2)", WantUp},
		{'t', "kill(100 15)", WantUp},
		{'k', "kill(100 9)", WantUp},
		{'q', "kill(100 3)", WantUp},
		{'1', "kill(100 10)", WantUp},
		{'2', "kill(100 12)", WantUp},
		{'x', "announce(100 u 0 @2)", WantUp},
		{'z', "", WantUp},
		{0, "", WantUp},
		{'U', "", WantUp},
	} {
		t.Run(string(rune(c.b)), func(t *testing.T) {
			m := run(t, then(upSteps, step{cmd(c.b), c.acts, Up}))
			if m.Want() != c.want || m.Pid() != 100 {
				t.Errorf("want %v pid %d", m.Want(), m.Pid())
			}
			if m.Exiting() != (c.b == 'x') {
				t.Errorf("exiting = %v", m.Exiting())
			}
		})
	}
}

// Every control byte while the service is down: signals go nowhere, u and o
// start it, x exits at once.
func TestCommandsDown(t *testing.T) {
	for _, c := range []struct {
		b     byte
		acts  string
		state State
	}{
		{'u', "announce(0 u 0 @0) spawn", Spawning},
		{'o', "announce(0 0 0 @0) spawn", Spawning},
		{'d', "announce(0 d 0 @0)", Down},
		{'p', "announce(0 d 0 @0)", Down},
		{'c', "announce(0 d 0 @0)", Down},
		{'x', "announce(0 d 0 @0) announce(0 d 0 @0) quit", Gone},
	} {
		t.Run(string(rune(c.b)), func(t *testing.T) {
			m := run(t, then(downSteps, step{cmd(c.b), c.acts, c.state}))
			if c.b == 'p' && !m.Paused() {
				t.Error("p not recorded while down")
			}
		})
	}
	for _, b := range []byte("hait kq12z") {
		t.Run("signal "+string(rune(b)), func(t *testing.T) {
			run(t, then(downSteps, step{cmd(b), "", Down}))
		})
	}
}

// failedSteps ends with an exec failure whose pause is over (steps 0-3).
var failedSteps = []step{
	{bootWith(false), "announce(0 u 0 @0)", Booted},
	{ev(Enter), "spawn", Spawning},
	{ev(ExecFailed), "hold(1s)", FailHold},
	{ev(Timer), "announce(0 u 0 @0)", Failed},
}

// Every control byte after a failed exec, before the reap step acts on it:
// as 0.76 with its not yet reaped child, u and o start nothing (the reap
// step will), and there is no process to signal.
func TestCommandsFailed(t *testing.T) {
	for _, c := range []struct {
		b    byte
		acts string
		next string // actions of the following reap step
	}{
		{'u', "announce(0 u 0 @0)", "spawn"},
		{'o', "announce(0 0 0 @0)", ""},
		{'d', "announce(0 d 0 @0)", ""},
		{'p', "announce(0 u 0 @0)", "spawn"},
		{'c', "announce(0 u 0 @0)", "spawn"},
		{'x', "announce(0 u 0 @0)", "announce(0 u 0 @0) quit"},
		{'h', "", "spawn"}, {'a', "", "spawn"}, {'i', "", "spawn"}, {'t', "", "spawn"},
		{'k', "", "spawn"}, {'q', "", "spawn"}, {'1', "", "spawn"}, {'2', "", "spawn"},
		{'z', "", "spawn"},
	} {
		t.Run(string(rune(c.b)), func(t *testing.T) {
			m := run(t, then(failedSteps, step{cmd(c.b), c.acts, Failed}))
			acts, err := m.Handle(ev(NoExit), at(9), nil)
			if err != nil || show(acts) != c.next {
				t.Errorf("reap step: %q %v, want %q", show(acts), err, c.next)
			}
		})
	}
}

func TestExitRestarts(t *testing.T) {
	run(t, then(upSteps,
		step{exitPid(100), "announce(0 u 0 @4) spawn", Spawning},
		step{startedPid(101), "announce(101 u 0 @5) hold(1s)", StartHold},
		step{ev(Timer), "", Up},
		step{ev(NoExit), "", Up},
	))
}

// A pid that is not the service's is reaped and ignored.
func TestExitOtherPid(t *testing.T) {
	run(t, then(upSteps, step{exitPid(555), "", Up}))
}

func TestOnceThenExit(t *testing.T) {
	m := run(t, then(upSteps,
		step{cmd('o'), "announce(100 0 0 @2)", Up},
		step{exitPid(100), "announce(0 0 0 @5)", Down},
		step{ev(NoExit), "", Down},
	))
	if s := m.Status(); s.Want != status.WantOnce || s.Pid != 0 {
		t.Errorf("status %+v", s)
	}
	// o on a down service starts it once more.
	run(t, then(downSteps,
		step{cmd('o'), "announce(0 0 0 @0) spawn", Spawning},
		step{startedPid(7), "announce(7 0 0 @3) hold(1s)", StartHold},
		step{ev(Timer), "", Up},
		step{exitPid(7), "announce(0 0 0 @5)", Down},
	))
}

func TestDownWhilePaused(t *testing.T) {
	m := run(t, then(upSteps,
		step{cmd('p'), "announce(100 u 1 @2) kill(100 19)", Up},
		step{cmd('d'), "kill(100 15) kill(100 18) announce(100 d 0 @2)", Up},
		step{exitPid(100), "announce(0 d 0 @6) cleanup(15)", Down},
	))
	if m.Paused() {
		t.Error("paused survives d")
	}
}

// The paused flag is cleared by every start and only shown while running.
func TestPauseClearedByStart(t *testing.T) {
	run(t, then(downSteps,
		step{cmd('p'), "announce(0 d 0 @0)", Down},
		step{cmd('u'), "announce(0 u 0 @0) spawn", Spawning},
		step{startedPid(9), "announce(9 u 0 @4) hold(1s)", StartHold},
	))
}

func TestExitCommand(t *testing.T) {
	t.Run("up then exit", func(t *testing.T) {
		run(t, then(upSteps,
			step{cmd('x'), "announce(100 u 0 @2)", Up},
			step{ev(NoExit), "", Up},
			step{exitPid(100), "announce(0 u 0 @6) announce(0 u 0 @6) quit", Gone},
		))
	})
	t.Run("dx", func(t *testing.T) {
		run(t, then(upSteps,
			step{cmd('d'), "kill(100 15) kill(100 18) announce(100 d 0 @2)", Up},
			step{cmd('x'), "announce(100 d 0 @2)", Up},
			step{exitPid(100), "announce(0 d 0 @6) cleanup(15) announce(0 d 0 @6) quit", Gone},
		))
	})
	t.Run("down", func(t *testing.T) {
		m := run(t, then(downSteps, step{cmd('x'), "announce(0 d 0 @0) announce(0 d 0 @0) quit", Gone}))
		if !m.Done() {
			t.Error("not done")
		}
		if _, err := m.Handle(cmd('u'), at(9), nil); !errors.Is(err, ErrNotAccepted) {
			t.Errorf("gone took u: %v", err)
		}
	})
}

// Exec failure: a pause of one second, no "up" status, then the next reap
// step starts again, once a second for as long as it is wanted up.
func TestExecFailureCadence(t *testing.T) {
	m := run(t, []step{
		{bootWith(false), "announce(0 u 0 @0)", Booted},
		{ev(Enter), "spawn", Spawning},
		{ev(ExecFailed), "hold(1s)", FailHold},
		{ev(Timer), "announce(0 u 0 @0)", Failed},
	})
	if !m.Immediate() {
		t.Fatal("no immediate turn after a failed exec")
	}
	for i := 4; i < 10; i += 3 {
		for j, s := range []step{
			{ev(NoExit), "spawn", Spawning},
			{ev(ExecFailed), "hold(1s)", FailHold},
			{ev(Timer), "", Failed},
		} {
			acts, err := m.Handle(s.ev, at(i+j), nil)
			if err != nil || show(acts) != s.acts || m.State() != s.state {
				t.Fatalf("step %d: %q %v %v", i+j, show(acts), m.State(), err)
			}
		}
	}
	// d stops the loop: the reap step then leaves it down.
	for _, s := range []step{
		{cmd('d'), "announce(0 d 0 @0)", Failed},
		{ev(NoExit), "", Down},
		{ev(NoExit), "", Down},
	} {
		acts, _ := m.Handle(s.ev, at(20), nil)
		if show(acts) != s.acts || m.State() != s.state {
			t.Fatalf("%v: %q %v", s.ev.Kind, show(acts), m.State())
		}
	}
	if m.Immediate() {
		t.Error("immediate stays set")
	}
}

func TestExecFailureThenExit(t *testing.T) {
	run(t, []step{
		{bootWith(false), "announce(0 u 0 @0)", Booted},
		{ev(Enter), "spawn", Spawning},
		{ev(ExecFailed), "hold(1s)", FailHold},
		{ev(Timer), "announce(0 u 0 @0)", Failed},
		{cmd('x'), "announce(0 u 0 @0)", Failed},
		{ev(NoExit), "announce(0 u 0 @0) quit", Gone},
	})
	// once: a failed exec is not retried.
	run(t, then(downSteps,
		step{cmd('o'), "announce(0 0 0 @0) spawn", Spawning},
		step{ev(ExecFailed), "hold(1s)", FailHold},
		step{ev(Timer), "", Failed},
		step{ev(NoExit), "", Down},
	))
}

// Fork failure: 60 seconds, then Debian's retry at the next reap step.
func TestForkFailureRetry(t *testing.T) {
	run(t, []step{
		{bootWith(false), "announce(0 u 0 @0)", Booted},
		{ev(Enter), "spawn", Spawning},
		{ev(ForkFailed), "hold(1m0s)", ForkHold},
		{ev(Timer), "announce(0 u 0 @0)", Down},
		{ev(NoExit), "spawn", Spawning},
		{startedPid(5), "announce(5 u 0 @5) hold(1s)", StartHold},
	})
	// From the reap step the retry follows the pause at once.
	run(t, then(upSteps,
		step{exitPid(100), "announce(0 u 0 @4) spawn", Spawning},
		step{ev(ForkFailed), "hold(1m0s)", ForkHold},
		step{ev(Timer), "spawn", Spawning},
		step{ev(ForkFailed), "hold(1m0s)", ForkHold},
		step{ev(Timer), "", Down},
		step{ev(NoExit), "spawn", Spawning},
	))
	// No retry once it is wanted down; a later u starts it, and only once.
	run(t, then(downSteps,
		step{cmd('u'), "announce(0 u 0 @0) spawn", Spawning},
		step{ev(ForkFailed), "hold(1m0s)", ForkHold},
		step{ev(Timer), "", Down},
		step{cmd('d'), "announce(0 d 0 @0)", Down},
		step{ev(NoExit), "", Down},
		step{cmd('u'), "announce(0 u 0 @0) spawn", Spawning},
		step{startedPid(8), "announce(8 u 0 @8) hold(1s)", StartHold},
		step{ev(Timer), "", Up},
		step{ev(NoExit), "", Up},
	))
}

// Only pid changes move the timestamp (§2.5).
func TestTimestampOnlyOnPidChange(t *testing.T) {
	m := run(t, upSteps)
	for i, b := range []byte("pcuodx") {
		acts, _ := m.Handle(cmd(b), at(10+i), nil)
		for _, a := range acts {
			if a.Kind == Announce && a.Status.When != at(2).Wall {
				t.Errorf("%c moved the time to %v", b, a.Status.When)
			}
		}
	}
}

func TestNotAccepted(t *testing.T) {
	m := New()
	for _, k := range []Kind{Enter, Exit, NoExit, Started, Timer, CmdUp, Other} {
		if m.Accepts(k) {
			t.Errorf("init accepts %v", k)
		}
		if _, err := m.Handle(ev(k), at(0), nil); !errors.Is(err, ErrNotAccepted) {
			t.Errorf("init took %v", k)
		}
	}
	m = New()
	for i, s := range upSteps[:3] {
		m.Handle(s.ev, at(i), nil)
	}
	// During the pause nothing but the timer is taken: no control bytes,
	// no reaping.
	for _, k := range []Kind{CmdDown, Exit, NoExit, Started, Boot} {
		if _, err := m.Handle(ev(k), at(5), nil); !errors.Is(err, ErrNotAccepted) {
			t.Errorf("starthold took %v", k)
		}
	}
	if m.State() != StartHold || !m.Accepts(Timer) {
		t.Errorf("state %v", m.State())
	}
	// Out-of-range kinds count as Other.
	m = run(t, upSteps)
	if acts, err := m.Handle(Event{Kind: 200}, at(9), nil); err != nil || len(acts) != 0 {
		t.Errorf("kind 200: %v %v", acts, err)
	}
}

func TestCommandMapping(t *testing.T) {
	for b := 0; b < 256; b++ {
		k := Command(byte(b)).Kind
		want := Other
		if i := strings.IndexByte("udopchaitkxq12r", byte(b)); i >= 0 {
			want = CmdUp + Kind(i)
		}
		if k != want {
			t.Errorf("byte %q -> %v, want %v", byte(b), k, want)
		}
	}
}

func BenchmarkDispatch(b *testing.B) {
	m := New()
	now := at(0)
	out := make([]Action, 0, 8)
	for _, s := range upSteps {
		out, _ = m.Handle(s.ev, now, out[:0])
	}
	p, c := Command('p'), Command('c')
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		out, _ = m.Handle(p, now, out[:0])
		out, _ = m.Handle(c, now, out[:0])
	}
}
