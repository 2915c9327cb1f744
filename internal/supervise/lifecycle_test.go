package supervise

import (
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/tai64"
)

func exited(pid int, code int, c Config) Event {
	return Event{Kind: Exit, Pid: pid, Cfg: c, Status: ExitStatus{Known: true, Code: code}}
}
func killed(pid int, sig int, c Config) Event {
	return Event{Kind: Exit, Pid: pid, Cfg: c, Status: ExitStatus{Known: true, Signal: sig}}
}
func startedCfg(pid int, c Config) Event { return Event{Kind: Started, Pid: pid, Cfg: c} }
func timerEv(t TimerID) Event            { return Event{Kind: Timer, Timer: t} }

// pacedUp brings up a service whose restart-delay files exist: no 0.76 pause.
func pacedUp(c Config) []step {
	return []step{
		{bootWith(false), "announce(0 u 0 @0)", Booted},
		{ev(Enter), "spawn", Spawning},
		{startedCfg(100, c), "announce(100 u 0 @2)", Up},
	}
}

func TestRestartWait(t *testing.T) {
	s := time.Second
	for _, c := range []struct {
		delay, max, ran time.Duration
		deaths          int
		wait            time.Duration
		next            int
	}{
		// restart-delay alone: no sooner than the delay after the start.
		{s, 0, 0, 0, s, 1},
		{s, 0, 300 * time.Millisecond, 5, 700 * time.Millisecond, 6},
		{s, 0, 2 * s, 5, 0, 0},
		{100 * time.Millisecond, 0, 0, 0, 100 * time.Millisecond, 1},
		{0, 0, 0, 3, 0, 0}, // no delay: no death is early
		// backoff: doubling from the delay up to the cap.
		{s, 60 * s, 0, 0, s, 1},
		{s, 60 * s, 0, 1, 2 * s, 2},
		{s, 60 * s, 0, 2, 4 * s, 3},
		{s, 60 * s, 0, 5, 32 * s, 6},
		{s, 60 * s, 0, 6, 60 * s, 7},
		{s, 60 * s, 0, 1000, 60 * s, 1001},
		{s, 60 * s, 10 * s, 6, 50 * s, 7}, // counted from the start
		{s, 60 * s, 60 * s, 9, 0, 0},      // a run of the cap resets it
		{s, 60 * s, 3 * s, 1, 0, 2},       // early, but its wait has passed
	} {
		w, n := RestartWait(Config{Paced: true, RestartDelay: c.delay, RestartMax: c.max}, c.ran, c.deaths)
		if w != c.wait || n != c.next {
			t.Errorf("delay %v max %v ran %v deaths %d: wait %v next %d, want %v %d", c.delay, c.max, c.ran,
				c.deaths, w, n, c.wait, c.next)
		}
	}
}

// A crash loop under restart-delay-max waits longer and longer, serving
// commands; d cancels the restart at once, u starts at once.
func TestBackoffLoop(t *testing.T) {
	c := Config{Paced: true, RestartDelay: time.Second, RestartMax: 8 * time.Second}
	// Each early death doubles the wait (the clock stands still here).
	m := New()
	steps := pacedUp(c)
	for i, s := range steps {
		m.Handle(s.ev, at(i), nil)
	}
	now := 2
	pid := 100
	for _, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second} {
		acts, _ := m.Handle(exited(pid, 1, c), at(now), nil)
		last := acts[len(acts)-1]
		if m.State() != Backoff || last.Kind != Arm || last.Timer != RestartTimer || last.After != want {
			t.Fatalf("exit at %d: %s in %v, want a wait of %v", now, show(acts), m.State(), want)
		}
		if u := m.BackoffUntil(); u != at(now).Wall.Add(want) {
			t.Errorf("backoff until %v", u)
		}
		if name, _ := m.StateName(); name != "backoff" {
			t.Errorf("state name %s", name)
		}
		// Signals and p/c while waiting: nothing to signal.
		if acts, _ := m.Handle(cmd('t'), at(now), nil); show(acts) != "" {
			t.Errorf("t in backoff: %s", show(acts))
		}
		acts, _ = m.Handle(timerEv(RestartTimer), at(now), nil)
		if show(acts) != "spawn" {
			t.Fatalf("restart timer: %s", show(acts))
		}
		pid++
		m.Handle(startedCfg(pid, c), at(now), nil)
	}
	if m.Restarts() != 5 {
		t.Errorf("restarts %d", m.Restarts())
	}
	// d while waiting: cancelled, down.
	m.Handle(exited(pid, 1, c), at(now), nil)
	acts, _ := m.Handle(cmd('d'), at(now), nil)
	if show(acts) != "cancel(restart) announce(0 d 0 @2)" || m.State() != Down {
		t.Errorf("d in backoff: %s %v", show(acts), m.State())
	}
	// u: at once.
	m = New()
	for i, s := range pacedUp(c) {
		m.Handle(s.ev, at(i), nil)
	}
	m.Handle(exited(100, 1, c), at(2), nil)
	acts, _ = m.Handle(cmd('u'), at(2), nil)
	if show(acts) != "announce(0 u 0 @2) cancel(restart) spawn" {
		t.Errorf("u in backoff: %s", show(acts))
	}
	// x: the supervisor ends at once.
	m = New()
	for i, s := range pacedUp(c) {
		m.Handle(s.ev, at(i), nil)
	}
	m.Handle(exited(100, 1, c), at(2), nil)
	acts, _ = m.Handle(cmd('x'), at(2), nil)
	if show(acts) != "announce(0 u 0 @2) cancel(restart) announce(0 u 0 @2) quit" {
		t.Errorf("x in backoff: %s", show(acts))
	}
}

// An instance that ran at least the cap restarts at once.
func TestBackoffReset(t *testing.T) {
	c := Config{Paced: true, RestartDelay: time.Second, RestartMax: 2 * time.Second}
	run(t, then(pacedUp(c),
		step{ev(NoExit), "", Up},
		step{exited(100, 0, c), "announce(0 u 0 @4) spawn", Spawning},
	))
}

// A non-executable run under restart-delay waits as a crash does, never
// less than a second.
func TestExecFailedPaced(t *testing.T) {
	c := Config{Paced: true, RestartDelay: 0}
	run(t, []step{
		{bootWith(false), "announce(0 u 0 @0)", Booted},
		{ev(Enter), "spawn", Spawning},
		{Event{Kind: ExecFailed, Cfg: c}, "announce(0 u 0 @0) arm(restart 1s)", Backoff},
		{timerEv(RestartTimer), "spawn", Spawning},
	})
}

// finish runs after every exit, gets its status, and while it runs the
// service is down and letters meant for it are ignored; u/d/o/x wait.
func TestFinish(t *testing.T) {
	c := Config{Finish: true, TimeoutFinish: 5 * time.Second}
	m := run(t, then(upSteps,
		step{killed(100, 9, c), "announce(0 u 0 @4) finish(0 9)", FinishStart},
		step{Event{Kind: FinishStarted, Pid: 200}, "arm(finish 5s)", Finishing},
		step{cmd('t'), "", Finishing},
		step{cmd('p'), "", Finishing},
		step{cmd('d'), "announce(0 d 0 @4)", Finishing},
		step{ev(NoExit), "", Finishing},
		step{exited(200, 0, Config{}), "cancel(finish)", Down},
	))
	if name, _ := m.StateName(); name != "down" || m.FinishPid() != 0 {
		t.Errorf("after finish: %s %d", name, m.FinishPid())
	}
	// Wanted up: restart after finish.
	run(t, then(upSteps,
		step{exited(100, 1, c), "announce(0 u 0 @4) finish(1 0)", FinishStart},
		step{Event{Kind: FinishStarted, Pid: 200}, "arm(finish 5s)", Finishing},
		step{exited(200, 3, Config{}), "cancel(finish) spawn", Spawning},
	))
	// A finish that does not exit in time is killed; one that cannot be
	// started counts as done.
	run(t, then(upSteps,
		step{exited(100, 1, c), "announce(0 u 0 @4) finish(1 0)", FinishStart},
		step{Event{Kind: FinishStarted, Pid: 200}, "arm(finish 5s)", Finishing},
		step{timerEv(FinishTimer), "kill(200 9) kill(200 18)", Finishing},
		step{killed(200, 9, Config{}), "spawn", Spawning},
	))
	run(t, then(upSteps,
		step{exited(100, 1, c), "announce(0 u 0 @4) finish(1 0)", FinishStart},
		step{ev(FinishFailed), "spawn", Spawning},
	))
	// x while finishing: the supervisor ends when finish does.
	run(t, then(upSteps,
		step{exited(100, 1, c), "announce(0 u 0 @4) finish(1 0)", FinishStart},
		step{Event{Kind: FinishStarted, Pid: 200}, "arm(finish 5s)", Finishing},
		step{cmd('x'), "announce(0 u 0 @4)", Finishing},
		step{exited(200, 0, Config{}), "cancel(finish) announce(0 u 0 @4) quit", Gone},
	))
}

// finish exit 125: permanent failure, want down, no restart, until u.
func TestFinish125(t *testing.T) {
	c := Config{Finish: true}
	m := run(t, then(upSteps,
		step{exited(100, 1, c), "announce(0 u 0 @4) finish(1 0)", FinishStart},
		step{Event{Kind: FinishStarted, Pid: 200}, "", Finishing},
		step{exited(200, 125, Config{}), "announce(0 d 0 @4)", Down},
	))
	if name, _ := m.StateName(); name != "failed" || m.Want() != WantDown {
		t.Errorf("after 125: %s want %v", name, m.Want())
	}
	acts, _ := m.Handle(cmd('u'), at(9), nil)
	if show(acts) != "announce(0 u 0 @4) spawn" {
		t.Errorf("u after 125: %s", show(acts))
	}
	if name, _ := m.StateName(); name != "down" {
		t.Errorf("failed survives u: %s", name)
	}
}

// A stop with timeout-kill: down signal + CONT, the timer armed; what is
// left after the exit is signalled and waited for; at the deadline
// everything gets SIGKILL.
func TestStopTimeoutKill(t *testing.T) {
	k := Config{TimeoutKill: 500 * time.Millisecond, DownSignal: 1}
	m := run(t, then(upSteps,
		step{Event{Kind: CmdDown, Cfg: k}, "kill(100 1) kill(100 18) announce(100 d 0 @2) arm(kill 500ms)", Up},
		step{Event{Kind: CmdDown, Cfg: k}, "kill(100 1) kill(100 18) announce(100 d 0 @2)", Up},
	))
	if name, _ := m.StateName(); name != "stopping" {
		t.Errorf("state name %s", name)
	}
	// It ignores HUP: SIGKILL at the deadline, then its exit, then the
	// leftovers are waited for.
	for _, s := range []step{
		{timerEv(KillTimer), "killall", Up},
		{killed(100, 9, k), "announce(0 d 0 @0) cleanup(1 watch) arm(kill 500ms)", Cleaning},
		{cmd('h'), "", Cleaning},
		{ev(Clean), "cancel(kill)", Down},
	} {
		acts, err := m.Handle(s.ev, at(0), nil)
		if err != nil || show(acts) != s.acts || m.State() != s.state {
			t.Fatalf("%v: %s %v %v, want %s %v", s.ev.Kind, show(acts), m.State(), err, s.acts, s.state)
		}
	}
	// Leftovers that survive SIGKILL are given a second, then left.
	run(t, then(upSteps,
		step{Event{Kind: CmdDown, Cfg: k}, "kill(100 1) kill(100 18) announce(100 d 0 @2) arm(kill 500ms)", Up},
		step{exited(100, 0, k), "announce(0 d 0 @5) cleanup(1 watch)", Cleaning},
		step{timerEv(KillTimer), "killall arm(kill 1s)", Cleaning},
		step{timerEv(KillTimer), "killall", Down},
	))
	// u before the deadline: no longer a stop.
	run(t, then(upSteps,
		step{Event{Kind: CmdDown, Cfg: k}, "kill(100 1) kill(100 18) announce(100 d 0 @2) arm(kill 500ms)", Up},
		step{cmd('u'), "announce(100 u 0 @2) cancel(kill)", Up},
		step{exited(100, 0, Config{}), "announce(0 u 0 @6) spawn", Spawning},
	))
}

// Without timeout-kill a stop signals the leftovers once and does not wait;
// an instance that exits by itself leaves its leftovers alone (0.76).
func TestStopCleanupDefault(t *testing.T) {
	run(t, then(upSteps,
		step{cmd('d'), "kill(100 15) kill(100 18) announce(100 d 0 @2)", Up},
		step{exited(100, 0, Config{}), "announce(0 d 0 @5) cleanup(15)", Down},
	))
	run(t, then(upSteps, step{exited(100, 0, Config{}), "announce(0 u 0 @4) spawn", Spawning}))
	// With timeout-kill, a crash's leftovers are cleaned up before the restart.
	k := Config{TimeoutKill: time.Second}
	run(t, then(upSteps,
		step{exited(100, 1, k), "announce(0 u 0 @4) cleanup(15 watch) arm(kill 1s)", Cleaning},
		step{cmd('o'), "announce(0 0 0 @4)", Cleaning},
		step{cmd('u'), "announce(0 u 0 @4)", Cleaning},
		step{ev(Clean), "cancel(kill) spawn", Spawning},
	))
	// With finish too: finish runs first, the leftovers may go meanwhile.
	kf := Config{TimeoutKill: time.Second, Finish: true}
	run(t, then(upSteps,
		step{exited(100, 1, kf), "announce(0 u 0 @4) cleanup(15 watch) arm(kill 1s) finish(1 0)", FinishStart},
		step{Event{Kind: FinishStarted, Pid: 200}, "", Finishing},
		step{ev(Clean), "cancel(kill)", Finishing},
		step{exited(200, 0, Config{}), "spawn", Spawning},
	))
}

// r: the down signal and CONT; want unchanged.
func TestRestartCommand(t *testing.T) {
	run(t, then(upSteps,
		step{Event{Kind: CmdRestart, Cfg: Config{DownSignal: 10}}, "kill(100 10) kill(100 18)", Up},
		step{exited(100, 0, Config{}), "announce(0 u 0 @5) spawn", Spawning},
	))
	run(t, then(downSteps, step{Event{Kind: CmdRestart}, "", Down}))
}

// An instance left by a supervisor that died is adopted, with its start
// time and its want; its exit status is unknown.
func TestAdopt(t *testing.T) {
	when := tai64.N{Sec: base - 30, Nano: 7}
	m := run(t, []step{
		{Event{Kind: Boot, Down: true, Adopt: Adoption{Pid: 77, When: when, Want: 'u'}}, "announce(77 u 0 @-30)", Booted},
		{ev(Enter), "announce(77 u 0 @-30)", Up},
		{ev(NoExit), "", Up},
		{cmd('h'), "kill(77 1)", Up},
	})
	if !m.Adopted() {
		t.Error("not adopted")
	}
	if r, since := m.Ready(); !r || since != when {
		t.Errorf("ready %v %v", r, since)
	}
	acts, _ := m.Handle(Event{Kind: Exit, Pid: 77}, at(5), nil)
	if show(acts) != "announce(0 u 0 @5) spawn" {
		t.Errorf("exit: %s", show(acts))
	}
	st, _, ran, ok := m.LastExit()
	if !ok || st.Known || ran != 35*time.Second {
		t.Errorf("last exit %+v ran %v", st, ran)
	}
}

// Readiness: not ready at start with the files, ready on the message,
// not ready on RELOADING, reset at every start.
func TestReady(t *testing.T) {
	c := Config{Readiness: true}
	m := run(t, []step{
		{bootWith(false), "announce(0 u 0 @0)", Booted},
		{ev(Enter), "spawn", Spawning},
		{startedCfg(100, c), "announce(100 u 0 @2) hold(1s)", StartHold},
		{ev(Timer), "announce(100 u 0 @2)", Up},
	})
	if r, _ := m.Ready(); r {
		t.Error("ready before saying so")
	}
	acts, _ := m.Handle(ev(Ready), at(7), nil)
	if r, since := m.Ready(); !r || since != at(7).Wall || len(acts) != 1 {
		t.Errorf("ready %v %v %s", r, since, show(acts))
	}
	if acts, _ := m.Handle(ev(Ready), at(8), nil); len(acts) != 0 {
		t.Errorf("second ready: %s", show(acts))
	}
	m.Handle(ev(Reloading), at(9), nil)
	if r, _ := m.Ready(); r {
		t.Error("ready while reloading")
	}
	// Without the files, ready as soon as up.
	m = run(t, upSteps)
	if r, since := m.Ready(); !r || since != at(2).Wall {
		t.Errorf("no readiness files: %v %v", r, since)
	}
}

// The state name and since follow the state.
func TestStateName(t *testing.T) {
	m := run(t, upSteps)
	if name, since := m.StateName(); name != "up" || since != at(2).Wall {
		t.Errorf("%s %v", name, since)
	}
	m.Handle(cmd('d'), at(5), nil)
	if name, since := m.StateName(); name != "stopping" || since != at(5).Wall {
		t.Errorf("%s %v", name, since)
	}
	m.Handle(exited(100, 0, Config{}), at(6), nil)
	if name, since := m.StateName(); name != "down" || since != at(6).Wall {
		t.Errorf("%s %v", name, since)
	}
}

// Nothing in the loop allocates.
func TestHandleAllocatesNothing(t *testing.T) {
	m := run(t, upSteps)
	out := make([]Action, 0, 16)
	p, c := Command('p'), Command('c')
	now := at(9)
	if n := testing.AllocsPerRun(100, func() {
		out, _ = m.Handle(p, now, out[:0])
		out, _ = m.Handle(c, now, out[:0])
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

// Every change of the state's name reaches the extended status: an
// Announce, or else a Publish before a trailing start or end.
func TestPublish(t *testing.T) {
	m := New()
	var names []string
	for i, e := range []Event{bootWith(false), ev(Enter), {Kind: ForkFailed}, ev(Timer), ev(NoExit),
		startedPid(5), ev(Timer), cmd('d'), exitPid(5)} {
		before, _ := m.StateName()
		acts, err := m.Handle(e, at(i), nil)
		if err != nil {
			t.Fatalf("%v: %v", e.Kind, err)
		}
		after, since := m.StateName()
		written := false
		for j, a := range acts {
			if a.Kind == Announce || a.Kind == Publish {
				written = true
			}
			if a.Kind == Publish && j == len(acts)-1 && len(acts) > 1 {
				if k := acts[j-1].Kind; k == Spawn || k == Quit {
					t.Errorf("%v: publish after %v", e.Kind, k)
				}
			}
		}
		if after != before {
			names = append(names, after)
			if !written || since != at(i).Wall {
				t.Errorf("%v: %s -> %s without a write (%v) or since %v", e.Kind, before, after, acts, since)
			}
		}
	}
	if got := strings.Join(names, " "); got != "backoff down up stopping down" {
		t.Errorf("names %s", got)
	}
}

// shutdown-on-exit: run once; the supervision ends with the instance
// (after finish), or with a failed start.
func TestOnceAndEnd(t *testing.T) {
	once := Event{Kind: Boot, Once: true}
	run(t, []step{
		{once, "announce(0 0 0 @0)", Booted},
		{ev(Enter), "spawn", Spawning},
		{startedPid(9), "announce(9 0 0 @2) hold(1s)", StartHold},
		{ev(Timer), "announce(9 0 0 @2)", Up},
		{exited(9, 3, Config{}), "announce(0 0 0 @4) announce(0 0 0 @4) quit", Gone},
	})
	// With finish: after it.
	run(t, []step{
		{once, "announce(0 0 0 @0)", Booted},
		{ev(Enter), "spawn", Spawning},
		{startedPid(9), "announce(9 0 0 @2) hold(1s)", StartHold},
		{ev(Timer), "announce(9 0 0 @2)", Up},
		{exited(9, 3, Config{Finish: true}), "announce(0 0 0 @4) finish(3 0)", FinishStart},
		{Event{Kind: FinishStarted, Pid: 10}, "", Finishing},
		{exited(10, 0, Config{}), "announce(0 0 0 @4) quit", Gone},
	})
	// A start that fails ends it too.
	run(t, []step{
		{once, "announce(0 0 0 @0)", Booted},
		{ev(Enter), "spawn", Spawning},
		{ev(ExecFailed), "hold(1s)", FailHold},
		{ev(Timer), "announce(0 0 0 @0)", Failed},
		{ev(NoExit), "announce(0 0 0 @0) quit", Gone},
	})
	// Down wins: not started.
	run(t, []step{{Event{Kind: Boot, Once: true, Down: true}, "announce(0 d 0 @0)", Booted}, {ev(Enter), "announce(0 d 0 @0)", Down}})
}
