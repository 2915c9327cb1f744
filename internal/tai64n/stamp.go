// Package tai64n labels lines with TAI64N timestamps as daemontools'
// tai64n does, and provides the stamp cache multilog's t action uses.
package tai64n

import "github.com/daemontools-go/daemontools/internal/tai64"

// StampLen is the length of a line label: '@', 24 hex digits and a space.
const StampLen = tai64.TextSize + 1

// Stamper makes line labels without allocating. Tick reads the clock and
// formats its label (the 16 digits of the seconds only when the second
// changes); Label returns the last one. Reading the clock costs about as
// much as handling a whole line, so callers tick once per read(2): every
// line that arrived in one read gets the time of that read.
type Stamper struct {
	Now func() tai64.N // clock; nil means tai64.Now
	buf [StampLen]byte
	sec uint64
	ok  bool
}

const hexdigits = "0123456789abcdef"

// Tick reads the clock and formats "@" + 24 hex digits + " ".
func (s *Stamper) Tick() {
	var n tai64.N
	if s.Now == nil {
		n = tai64.Now()
	} else {
		n = s.Now()
	}
	if !s.ok || n.Sec != s.sec {
		n.Format(s.buf[:tai64.TextSize])
		s.buf[tai64.TextSize] = ' '
		s.sec, s.ok = n.Sec, true
		return
	}
	b := s.buf[17:25]
	v := n.Nano
	for i := 7; i >= 0; i-- {
		b[i] = hexdigits[v&15]
		v >>= 4
	}
}

// Label returns the label of the last Tick; it is valid until the next.
func (s *Stamper) Label() []byte { return s.buf[:] }
