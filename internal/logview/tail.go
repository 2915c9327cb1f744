package logview

import (
	"bytes"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/daemontools-go/daemontools/internal/tai64"
)

// MaxLine is the most Tail keeps of a line: its first MaxLine bytes, label
// included, cut back to a whole UTF-8 character.
const MaxLine = 64 << 10

// Line is one line of a log.
type Line struct {
	Time    time.Time // the label's time, in the local zone (a fixed offset); zero if not Stamped
	Stamped bool      // the line starts with a TAI64N label and a space
	Text    string    // the line without the label, the space after it and the newline
}

// String is the line as svctl log prints it, without the newline.
func (l Line) String() string {
	if !l.Stamped {
		return l.Text
	}
	return l.Time.Format(TimeLayout) + " " + l.Text
}

// Tail returns the last n lines of the log directory logdir (as svctl log
// -n N reads them: the archives, previous, then current), oldest first; a
// last line without a newline counts. Times are in the zone of $TZ, as
// for svctl log. It reads the files backward from the end only as far as
// the start of the n-th last line, and then at most MaxLine bytes of each
// line. The errors are *os.PathError.
func Tail(logdir string, n int) ([]Line, error) {
	d, err := openDir(logdir)
	if err != nil {
		return nil, err
	}
	defer d.close()
	h, err := d.history(max(n, 0), true, true)
	if err != nil {
		return nil, err
	}
	defer h.close()
	c := localClock()
	lines := make([]Line, 0, len(h.starts))
	// Lines are sliced from a window of the log read at once, but only
	// the kept part of a long one is read.
	win := make([]byte, 0, min(h.end-h.first, 1<<20))
	var winAt int64
	for i, a := range h.starts {
		z := h.end
		if i+1 < len(h.starts) {
			z = h.starts[i+1]
		}
		want := min(z-a, MaxLine+1)
		if a < winAt || a+want > winAt+int64(len(win)) {
			k := max(want, min(h.end-a, int64(cap(win))))
			if int64(cap(win)) < k {
				win = make([]byte, k)
			}
			if win, err = h.read(win[:k], a); err != nil {
				return nil, err
			}
			winAt = a
		}
		b := win[a-winAt : a-winAt+want]
		if want == z-a {
			b = bytes.TrimSuffix(b, []byte{'\n'})
		}
		b = cut(b, MaxLine)
		l := Line{Text: string(b)}
		if t, ok := c.stamp(b); ok {
			l = Line{Time: t, Stamped: true, Text: string(b[tai64.TextSize+1:])}
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// read fills b from offset a on, across files.
func (h *history) read(b []byte, a int64) ([]byte, error) {
	i, off := h.locate(a)
	for got := 0; got < len(b); i, off = i+1, 0 {
		s := h.segs[i]
		n, err := s.f.ReadAt(b[got:min(len(b), got+int(s.size-off))], off)
		got += n
		if err != nil && (err != io.EOF || got < len(b)) {
			return nil, &os.PathError{Op: "read", Path: s.f.Name(), Err: cause(err)}
		}
	}
	return b, nil
}

// cut shortens b to at most n bytes, not splitting a UTF-8 character.
func cut(b []byte, n int) []byte {
	if len(b) <= n {
		return b
	}
	b = b[:n]
	for k := len(b) - 1; k >= 0 && k >= len(b)-utf8.UTFMax; k-- {
		if utf8.RuneStart(b[k]) {
			if !utf8.FullRune(b[k:]) {
				b = b[:k]
			}
			break
		}
	}
	return b
}
