package supervise

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// config is a machine's state without its counters and times, for
// exploration.
type config struct {
	state                                 State
	pid, finishPid                        int
	want                                  Want
	paused, exiting, forkRetry, immediate bool
	from                                  origin
	stopping, cleaning, failed, ready     bool
	once                                  bool
	killed                                int
	armed                                 [NumTimers]bool
	cfg                                   Config
}

func configOf(m *Machine) config {
	return config{m.state, m.pid, m.finishPid, m.want, m.paused, m.exiting, m.forkRetry, m.immediate, m.from,
		m.stopping, m.cleaning, m.failed, m.ready, m.once, m.killed, m.armed, m.cfg}
}

func (c config) machine() *Machine {
	return &Machine{state: c.state, pid: c.pid, finishPid: c.finishPid, want: c.want, paused: c.paused,
		exiting: c.exiting, forkRetry: c.forkRetry, immediate: c.immediate, from: c.from, stopping: c.stopping,
		cleaning: c.cleaning, failed: c.failed, ready: c.ready, once: c.once, killed: c.killed, armed: c.armed, cfg: c.cfg}
}

// Configurations the driver may read: 0.76's (none of the files), and the
// lifecycle files alone and together.
var (
	cfg076    = Config{}
	cfgPaced  = Config{Paced: true, RestartDelay: time.Second, RestartMax: 4 * time.Second}
	cfgFinish = Config{Finish: true, TimeoutFinish: 5 * time.Second}
	cfgKill   = Config{TimeoutKill: 500 * time.Millisecond}
	cfgAll    = Config{Finish: true, TimeoutFinish: time.Second, TimeoutKill: time.Second, Paced: true,
		RestartDelay: time.Second, Readiness: true, DownSignal: 1}
	cfgs = []Config{cfg076, cfgPaced, cfgFinish, cfgKill, cfgAll}
)

// inputs are every event the machine can be fed; pids stay small so that the
// reachable configurations are few.
func inputs(m *Machine) []Event {
	evs := []Event{bootWith(false), bootWith(true), {Kind: Boot, Adopt: Adoption{Pid: 50, Want: 'u'}}, {Kind: Boot, Once: true},
		ev(Enter), exitPid(999), ev(NoExit), ev(ForkFailed), {Kind: FinishStarted, Pid: 200}, ev(FinishFailed),
		ev(Clean), ev(Ready), ev(Reloading)}
	for _, c := range cfgs {
		evs = append(evs, Event{Kind: Exit, Pid: m.pid, Cfg: c, Status: ExitStatus{Known: true, Code: 1}},
			Event{Kind: Started, Pid: 100, Cfg: c}, Event{Kind: ExecFailed, Cfg: c})
	}
	for _, code := range []int{0, 125} {
		evs = append(evs, Event{Kind: Exit, Pid: m.finishPid, Status: ExitStatus{Known: true, Code: code}})
	}
	for t := TimerID(0); t < NumTimers; t++ {
		evs = append(evs, Event{Kind: Timer, Timer: t})
	}
	for _, b := range []byte("udopchaitkxq12rz") {
		evs = append(evs, Command(b))
	}
	evs = append(evs, Event{Kind: CmdDown, Cfg: cfgKill}, Event{Kind: CmdRestart, Cfg: cfgAll})
	return evs
}

type edge struct{ from, to, event string }

// explore walks every reachable configuration and returns the transitions
// taken, checking invariants on the way.
func explore(t *testing.T) (map[edge]bool, map[State]bool) {
	edges := map[edge]bool{}
	seen := map[config]bool{}
	reached := map[State]bool{}
	queue := []config{configOf(New())}
	seen[queue[0]] = true
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		reached[c.state] = true
		for _, e := range inputs(c.machine()) {
			m := c.machine()
			acts, err := m.Handle(e, at(0), nil)
			if err != nil {
				continue
			}
			last := Action{Kind: Announce}
			if len(acts) > 0 {
				last = acts[len(acts)-1]
			}
			armed := c.armed
			for i, a := range acts {
				if (a.Kind == Spawn || a.Kind == SpawnFinish || a.Kind == Quit) && i != len(acts)-1 {
					t.Errorf("%v in %v: %v is not the last action: %s", e.Kind, c.state, a.Kind, show(acts))
				}
				if a.Kind == Kill && a.Pid == 0 {
					t.Errorf("%v in %v: kill of pid 0", e.Kind, c.state)
				}
				switch a.Kind {
				case Arm:
					armed[a.Timer] = true
				case Cancel:
					if !armed[a.Timer] {
						t.Errorf("%v in %v: cancel of %v, not armed", e.Kind, c.state, a.Timer)
					}
					armed[a.Timer] = false
				}
			}
			if e.Kind == Timer {
				armed[e.Timer] = false
				for _, a := range acts {
					if a.Kind == Arm && a.Timer == e.Timer {
						armed[a.Timer] = true
					}
				}
			}
			if armed != m.armed {
				t.Errorf("%v in %v: timers %v after %s, machine says %v", e.Kind, c.state, armed, show(acts), m.armed)
			}
			if (m.state == Spawning) != (last.Kind == Spawn) || (m.state == FinishStart) != (last.Kind == SpawnFinish) {
				t.Errorf("%v in %v: spawning without Spawn or the reverse: %s", e.Kind, c.state, show(acts))
			}
			if m.Holding() != (m.armed[HoldTimer]) {
				t.Errorf("%v in %v -> %v: holding %v with hold timer %v", e.Kind, c.state, m.state, m.Holding(), m.armed[HoldTimer])
			}
			// A timer is armed only where a state takes it.
			for tm := TimerID(0); tm < NumTimers; tm++ {
				if m.armed[tm] && !m.Accepts(Timer) && m.state != Spawning && m.state != FinishStart {
					t.Errorf("%v in %v -> %v: timer %v armed where no timer is taken", e.Kind, c.state, m.state, tm)
				}
			}
			if m.state == Gone && m.armed != [NumTimers]bool{} {
				t.Errorf("%v in %v: gone with timers armed %v", e.Kind, c.state, m.armed)
			}
			edges[edge{c.state.String(), m.state.String(), e.Kind.String()}] = true
			if n := configOf(m); !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	return edges, reached
}

var (
	dotNode = regexp.MustCompile(`(?m)^\s*(\w+)\s+\[label=`)
	dotEdge = regexp.MustCompile(`(?m)^\s*(\w+) -> (\w+) \[label="([^"]*)"\]`)
)

// TestDotMatchesTable keeps states.dot in step with the table: it names every
// state and event, and has exactly the transitions the machine makes.
func TestDotMatchesTable(t *testing.T) {
	b, err := os.ReadFile("states.dot")
	if err != nil {
		t.Fatal(err)
	}
	dot := string(b)
	nodes := map[string]bool{}
	for _, m := range dotNode.FindAllStringSubmatch(dot, -1) {
		nodes[m[1]] = true
	}
	for s := State(0); s < numStates; s++ {
		if !nodes[s.String()] {
			t.Errorf("states.dot lacks state %s", s)
		}
	}
	if len(nodes) != int(numStates) {
		t.Errorf("states.dot has %d nodes, the table %d states", len(nodes), numStates)
	}
	dotEdges := map[edge]bool{}
	named := map[string]bool{}
	for _, m := range dotEdge.FindAllStringSubmatch(dot, -1) {
		for _, e := range strings.Fields(m[3]) {
			dotEdges[edge{m[1], m[2], e}] = true
			named[e] = true
		}
	}
	for k := Kind(0); k < numKinds; k++ {
		if !named[k.String()] {
			t.Errorf("states.dot never names event %s", k)
		}
	}
	got, reached := explore(t)
	for s := State(0); s < numStates; s++ {
		if !reached[s] {
			t.Errorf("state %s is unreachable", s)
		}
	}
	var missing, stale []string
	for e := range got {
		if !dotEdges[e] {
			missing = append(missing, e.from+" -> "+e.to+" on "+e.event)
		}
	}
	for e := range dotEdges {
		if !got[e] {
			stale = append(stale, e.from+" -> "+e.to+" on "+e.event)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	for _, e := range missing {
		t.Errorf("table makes %s; states.dot does not show it", e)
	}
	for _, e := range stale {
		t.Errorf("states.dot shows %s; the table never makes it", e)
	}
	// Every non-nil cell is taken somewhere.
	for s := State(0); s < numStates; s++ {
		for k := Kind(0); k < numKinds; k++ {
			if table[s][k] == nil {
				continue
			}
			found := false
			for e := range got {
				if e.from == s.String() && e.event == k.String() {
					found = true
				}
			}
			if !found {
				t.Errorf("cell %s × %s is never reached", s, k)
			}
		}
	}
}
