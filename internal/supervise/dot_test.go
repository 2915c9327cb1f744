package supervise

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// config is a machine's state without its scratch fields, for exploration.
type config struct {
	state                                 State
	pid                                   int
	want                                  Want
	paused, exiting, forkRetry, immediate bool
	from                                  origin
}

func configOf(m *Machine) config {
	return config{m.state, m.pid, m.want, m.paused, m.exiting, m.forkRetry, m.immediate, m.from}
}

func (c config) machine() *Machine {
	return &Machine{state: c.state, pid: c.pid, want: c.want, paused: c.paused, exiting: c.exiting,
		forkRetry: c.forkRetry, immediate: c.immediate, from: c.from}
}

// inputs are every event the machine can be fed; pids stay small so that the
// reachable configurations are few.
func inputs(m *Machine) []Event {
	evs := []Event{bootWith(false), bootWith(true), ev(Enter), exitPid(m.pid), exitPid(999), ev(NoExit),
		startedPid(100), ev(ExecFailed), ev(ForkFailed), ev(Timer)}
	for _, b := range []byte("udopchaitkxq12z") {
		evs = append(evs, Command(b))
	}
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
			for i, a := range acts {
				if (a.Kind == Spawn || a.Kind == Hold || a.Kind == Quit) && i != len(acts)-1 {
					t.Errorf("%v in %v: %v is not the last action: %s", e.Kind, c.state, a.Kind, show(acts))
				}
				if a.Kind == Kill && a.Pid == 0 {
					t.Errorf("%v in %v: kill of pid 0", e.Kind, c.state)
				}
			}
			if (m.state == Spawning) != (len(acts) > 0 && acts[len(acts)-1].Kind == Spawn) {
				t.Errorf("%v in %v: spawning without Spawn or the reverse: %s", e.Kind, c.state, show(acts))
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
