package serve

import (
	"sync"
	"time"
)

// gate shares passes among the requests that want one: get returns the
// result of a pass that started no earlier than the time asked for (never
// a stale one), and requests that arrive while such a pass runs wait for
// it instead of starting their own. A thousand concurrent requests cost
// one pass at a time (a request may wait out the end of one, then the
// next), and none when nobody asks.
type gate[T any] struct {
	run func(start time.Time) T

	mu        sync.Mutex
	have      bool
	last      T
	lastStart time.Time
	running   *call[T]
}

// call is a pass in progress.
type call[T any] struct {
	start time.Time
	done  chan struct{}
	val   T
	ok    bool // the pass returned (it did not panic)
}

// get returns the result of a pass started at after or later.
func (g *gate[T]) get(after time.Time) T {
	g.mu.Lock()
	for {
		if g.have && !g.lastStart.Before(after) {
			v := g.last
			g.mu.Unlock()
			return v
		}
		c := g.running
		if c == nil {
			break
		}
		g.mu.Unlock()
		<-c.done
		if c.ok && !c.start.Before(after) {
			return c.val
		}
		g.mu.Lock() // it started too early: start the next one, or join it
	}
	c := &call[T]{start: time.Now(), done: make(chan struct{})}
	g.running = c
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		g.running = nil
		if c.ok {
			g.last, g.lastStart, g.have = c.val, c.start, true
		}
		g.mu.Unlock()
		close(c.done)
	}()
	c.val = g.run(c.start)
	c.ok = true
	return c.val
}
