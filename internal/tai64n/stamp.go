// Package tai64n labels lines with TAI64N timestamps as daemontools'
// tai64n does, and provides the stamp cache multilog's t action uses.
package tai64n

import "github.com/daemontools-go/daemontools/internal/tai64"

// StampLen is the length of a line label: '@', 24 hex digits and a space.
const StampLen = tai64.TextSize + 1

// Stamper makes line labels without allocating. It formats the 16 digits
// of the seconds only when the second changes.
type Stamper struct {
	Now func() tai64.N // clock; nil means tai64.Now
	buf [StampLen]byte
	sec uint64
	ok  bool
}

const hexdigits = "0123456789abcdef"

// Stamp reads the clock and returns "@" + 24 hex digits + " ". The slice is
// valid until the next call.
func (s *Stamper) Stamp() []byte {
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
		return s.buf[:]
	}
	b := s.buf[17:25]
	v := n.Nano
	for i := 7; i >= 0; i-- {
		b[i] = hexdigits[v&15]
		v >>= 4
	}
	return s.buf[:]
}
