package serve

import (
	"bufio"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/svtest"
)

// delta is a "delta" event.
type delta struct {
	Time    time.Time
	Changed []apiService
	Removed []string
	Order   []string
}

// The event stream: the document first, then each second what changed;
// every stream shares the same passes, and none is made without a stream.
func TestEvents(t *testing.T) {
	t.Parallel()
	scan := t.TempDir()
	dir := func(name string) string { return filepath.Join(scan, name) }
	for i, name := range []string{"a", "b", "c"} {
		fakeService(t, dir(name), svstate.Record{State: svstate.Up, Pid: 100 + i})
	}
	ts := startServer(t, "", scan)
	var passes atomic.Int64
	run := ts.s.boards.run
	ts.s.boards.run = func(start time.Time) *board { passes.Add(1); return run(start) }

	open := func() (*bufio.Reader, func()) {
		res, err := streams.Get(ts.url + "/api/events")
		if err != nil || res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
			t.Fatalf("/api/events: %v %v", res, err)
		}
		return bufio.NewReader(res.Body), func() { res.Body.Close() }
	}
	r, done := open()
	defer done()
	ev, err := readEvent(r)
	if err != nil || ev.name != "full" {
		t.Fatalf("first event %q %v", ev.name, err)
	}
	var full struct{ Services []apiService }
	if err := json.Unmarshal([]byte(ev.data), &full); err != nil || len(full.Services) != 3 {
		t.Fatalf("full: %v %.300q", err, ev.data)
	}
	next := func(r *bufio.Reader) delta {
		t.Helper()
		ev, err := readEvent(r)
		if err != nil || ev.name != "delta" {
			t.Fatalf("event %q %v %.200q", ev.name, err, ev.data)
		}
		var d delta
		if err := json.Unmarshal([]byte(ev.data), &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Nothing changed: an empty delta, a second later.
	if d := next(r); len(d.Changed) != 0 || len(d.Removed) != 0 || d.Order != nil {
		t.Errorf("unchanged: %+v", d)
	}
	// b goes down, d appears, c goes away: each event tells what it saw.
	setState(t, dir("b"), svstate.Record{State: svstate.Down, Want: svstate.WantDown})
	fakeService(t, dir("d"), svstate.Record{State: svstate.Up, Pid: 200})
	if err := os.RemoveAll(dir("c")); err != nil {
		t.Fatal(err)
	}
	changed, removed := map[string]string{}, map[string]bool{}
	var order []string
	eventually(t, func() bool {
		d := next(r)
		for _, s := range d.Changed {
			changed[s.Name] = s.State
		}
		for _, n := range d.Removed {
			removed[n] = true
		}
		if d.Order != nil {
			order = d.Order
		}
		return changed["b"] == "down" && changed["d"] == "up" && removed["c"]
	})
	if changed["a"] != "" || !slices.Equal(order, []string{"a", "b", "d"}) {
		t.Errorf("changed %v, order %q", changed, order)
	}
	// More streams share the passes: a pass a second, whatever their number.
	var wg sync.WaitGroup
	before, start := passes.Load(), time.Now()
	for range 5 {
		wg.Go(func() {
			r, done := open()
			defer done()
			if ev, err := readEvent(r); err != nil || ev.name != "full" {
				t.Errorf("full: %q %v", ev.name, err)
			}
			for range 2 {
				next(r)
			}
		})
	}
	wg.Wait()
	n, secs := passes.Load()-before, time.Since(start).Seconds()
	if float64(n) > secs/tick.Seconds()+2 {
		t.Errorf("%d passes in %.1fs for 6 streams", n, secs)
	}
	// No stream: no pass.
	done()
	time.Sleep(3 * tick) // a wait for nothing to happen
	idle := passes.Load()
	time.Sleep(3 * tick)
	if passes.Load() != idle {
		t.Errorf("passes without a stream: %d", passes.Load()-idle)
	}
}

func eventually(t *testing.T, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(svtest.Deadline); time.Now().Before(end); {
		if cond() {
			return
		}
	}
	t.Fatal("timed out")
}

// Streams beyond maxStreams get 503 (the page then polls).
func TestEventsLimit(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "", t.TempDir())
	var bodies []*http.Response
	defer func() {
		for _, b := range bodies {
			b.Body.Close()
		}
	}()
	for i := range maxStreams + 1 {
		res, err := streams.Get(ts.url + "/api/events")
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, res)
		want := 200
		if i == maxStreams {
			want = 503
		}
		if res.StatusCode != want {
			t.Fatalf("stream %d: %d", i, res.StatusCode)
		}
		if want == 200 {
			if ev, err := readEvent(bufio.NewReader(res.Body)); err != nil || ev.name != "full" {
				t.Fatalf("stream %d: %q %v", i, ev.name, err)
			}
		}
	}
}

// The gate: concurrent requests share a pass; a request never gets a
// pass that began before it.
func TestGate(t *testing.T) {
	t.Parallel()
	var runs atomic.Int64
	release := make(chan struct{})
	g := &gate[int64]{run: func(time.Time) int64 {
		<-release
		return runs.Add(1)
	}}
	var wg sync.WaitGroup
	got := make([]int64, 50)
	asked := time.Now()
	for i := range got {
		wg.Go(func() { got[i] = g.get(asked) })
	}
	close(release)
	wg.Wait()
	if n := runs.Load(); n != 1 || slices.ContainsFunc(got, func(v int64) bool { return v != 1 }) {
		t.Errorf("%d passes for 50 requests: %v", n, got)
	}
	asked = time.Now()
	if v := g.get(asked); v != 2 {
		t.Errorf("a later request got pass %d, want a new one", v)
	}
	if g.lastStart.Before(asked) {
		t.Errorf("the pass began %v before the request", asked.Sub(g.lastStart))
	}
}
