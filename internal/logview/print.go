package logview

import (
	"bytes"
	"errors"
	"io"
	"os"
	"time"

	"github.com/daemontools-go/daemontools/internal/tai64"
	"github.com/daemontools-go/daemontools/internal/tai64nlocal"
)

// TimeLayout is how a label's time is printed (see the package comment).
const TimeLayout = "2006-01-02 15:04:05.000000 -0700"

// clock turns labels into local times, in the zone tai64nlocal uses.
type clock struct {
	offsets *tai64nlocal.Offsets
	off     int64
	loc     *time.Location
}

// localClock is a clock in the zone of $TZ, read as glibc reads it.
func localClock() *clock {
	tz, set := os.LookupEnv("TZ")
	return &clock{offsets: tai64nlocal.NewOffsets(tai64nlocal.LoadZone(tz, set))}
}

// stamp reads the label that starts line, '@' and 24 hex digits then a
// space, as a local time.
func (c *clock) stamp(line []byte) (time.Time, bool) {
	if len(line) <= tai64.TextSize || line[tai64.TextSize] != ' ' {
		return time.Time{}, false
	}
	n, ok := tai64.Parse(line[:tai64.TextSize])
	if !ok {
		return time.Time{}, false
	}
	off, ok := c.offsets.At(n.Unix())
	if !ok {
		return time.Time{}, false
	}
	if c.loc == nil || off != c.off {
		c.off, c.loc = off, time.FixedZone("", int(off))
	}
	return n.Time().In(c.loc), true
}

// Output sizes: what the printer collects before writing it, and how much
// of a line it holds back when following (see printer).
const (
	flushAt = 256 << 10
	holdMax = 1 << 20
)

// printer writes the log's bytes with the labels turned into local times.
// It holds back the start of every line until it can tell whether the line
// has a label; when following, it holds back every line until its newline
// (so that a line being written is printed whole, once), or until holdMax
// bytes of it have come.
type printer struct {
	w     io.Writer
	clock *clock
	hold  int    // how much of a line's start is held back
	out   []byte // to write
	held  []byte // the start of the current line, not yet in out
	mid   bool   // the current line's start is in out: the rest goes as it comes
}

func newPrinter(w io.Writer, c *clock, follow bool) *printer {
	p := &printer{w: w, clock: c, hold: tai64.TextSize + 1, out: make([]byte, 0, flushAt+readSize)}
	if follow {
		p.hold = holdMax
	}
	return p
}

// line appends a line's start (or all of it) to out, its label turned into
// the local time.
func (p *printer) line(b []byte) {
	if t, ok := p.clock.stamp(b); ok {
		p.out = t.AppendFormat(p.out, TimeLayout)
		b = b[tai64.TextSize:]
	}
	p.out = append(p.out, b...)
}

// feed takes the next bytes of the log.
func (p *printer) feed(b []byte) error {
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		switch {
		case p.mid && i < 0:
			p.out = append(p.out, b...)
			b = nil
		case p.mid:
			p.out = append(p.out, b[:i+1]...)
			b, p.mid = b[i+1:], false
		case i >= 0:
			line := b[:i+1]
			if len(p.held) > 0 {
				line = append(p.held, line...)
				p.held = line[:0]
			}
			p.line(line)
			b = b[i+1:]
		default:
			p.held = append(p.held, b...)
			b = nil
			if len(p.held) >= p.hold {
				p.line(p.held)
				p.held, p.mid = p.held[:0], true
			}
		}
		if len(p.out) >= flushAt {
			if err := p.flush(); err != nil {
				return err
			}
		}
	}
	return nil
}

// endLine ends the current line, if one has begun, where an unsafe archive
// ends.
func (p *printer) endLine() {
	if len(p.held) > 0 || p.mid {
		p.line(p.held)
		p.out = append(p.out, '\n')
		p.held, p.mid = p.held[:0], false
	}
}

// end writes everything, a last line without a newline as it is.
func (p *printer) end() error {
	p.line(p.held)
	p.held = p.held[:0]
	return p.flush()
}

// writeError is a failure to write the output.
type writeError struct{ err error }

func (e *writeError) Error() string { return "unable to write output: " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

func (p *printer) flush() error {
	if len(p.out) == 0 {
		return nil
	}
	_, err := p.w.Write(p.out)
	p.out = p.out[:0]
	if err != nil {
		return &writeError{err}
	}
	return nil
}

// readSize is how much is read from a file at a time.
const readSize = 128 << 10

// copy feeds what r, the file name, holds from its offset to its end.
func (p *printer) copy(r io.Reader, name string, buf []byte) error {
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if err := p.feed(buf[:n]); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return &os.PathError{Op: "read", Path: name, Err: cause(err)}
		}
	}
}
