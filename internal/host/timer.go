package host

import "time"

// Firer is told that one of its timers is due.
type Firer interface {
	Fire(id int)
}

// Timer is one deadline on the host's monotonic clock. It is kept inside
// its owner (no allocation to arm it); the zero value is not armed.
type Timer struct {
	at  time.Duration
	pos int // index in the heap plus one; 0 when not armed
	f   Firer
	id  int
}

// Init binds t to f; Fire gets id.
func (t *Timer) Init(f Firer, id int) { t.f, t.id = f, id }

// Armed reports whether t is armed.
func (t *Timer) Armed() bool { return t.pos != 0 }

// Arm makes t due after d (re-arming moves it).
func (h *Host) Arm(t *Timer, d time.Duration) {
	t.at = h.Now() + d
	if t.pos != 0 {
		h.timers.fix(t.pos - 1)
		return
	}
	h.timers.push(t)
}

// Cancel disarms t.
func (h *Host) Cancel(t *Timer) {
	if t.pos != 0 {
		h.timers.remove(t.pos - 1)
	}
}

// fireTimers fires every due timer, earliest first. A timer is disarmed
// before it fires, so the owner may arm it again.
func (h *Host) fireTimers() {
	now := h.Now()
	for len(h.timers) > 0 && h.timers[0].at <= now {
		t := h.timers[0]
		h.timers.remove(0)
		t.f.Fire(t.id)
	}
}

// heap is a binary min-heap of timers by deadline.
type heap []*Timer

func (q *heap) push(t *Timer) {
	*q = append(*q, t)
	t.pos = len(*q)
	q.up(len(*q) - 1)
}

func (q *heap) remove(i int) {
	s := *q
	last := len(s) - 1
	s[i].pos = 0
	if i != last {
		s[i] = s[last]
		s[i].pos = i + 1
	}
	s[last] = nil
	*q = s[:last]
	if i != last {
		q.fix(i)
	}
}

func (q *heap) fix(i int) {
	if !q.down(i) {
		q.up(i)
	}
}

func (q heap) less(i, j int) bool { return q[i].at < q[j].at }

func (q heap) swap(i, j int) {
	q[i], q[j] = q[j], q[i]
	q[i].pos, q[j].pos = i+1, j+1
}

func (q heap) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			return
		}
		q.swap(i, p)
		i = p
	}
}

func (q heap) down(i int) bool {
	start := i
	for {
		l := 2*i + 1
		if l >= len(q) {
			break
		}
		m := l
		if r := l + 1; r < len(q) && q.less(r, l) {
			m = r
		}
		if !q.less(m, i) {
			break
		}
		q.swap(i, m)
		i = m
	}
	return i > start
}
