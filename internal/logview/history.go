package logview

import (
	"bytes"
	"io"
	"os"
	"slices"
)

// The backward scan reads firstBlock bytes, then twice as many each time
// up to blockSize.
const (
	firstBlock = 8 << 10
	blockSize  = 64 << 10
)

// history is the end of a log: the files that hold its last n lines, and
// where those lines start. Offsets count from the start of segs[0], with
// the files as large as they were when opened.
type history struct {
	segs   []*segment // oldest first
	total  int64      // the size of segs
	first  int64      // where the first of the lines starts (end if none)
	starts []int64    // where each line starts, when asked for
	end    int64      // where the last line ends
}

// history finds the last n lines of the log, reading the files backward
// from the end of current (the newest file) only as far as it takes.
// partial says whether a last line without a newline counts as a line;
// when it does not (following), the lines end before it. all asks for the
// start of every line, not only the first.
func (d *logDir) history(n int, partial, all bool) (*history, error) {
	archives, previous, current, err := d.snapshot()
	if err != nil {
		return nil, err
	}
	sc := &scanner{n: n, all: all, haveEnd: partial, buf: make([]byte, firstBlock)}
	var segs []*segment // newest first while scanning
	for _, s := range []*segment{current, previous} {
		if s != nil {
			segs = append(segs, s)
		}
	}
	fail := func(err error) (*history, error) {
		for _, s := range segs {
			s.close()
		}
		return nil, err
	}
	for i, k := len(archives), 0; ; {
		if k < len(segs) {
			done, err := sc.scan(segs[k])
			if err != nil {
				return fail(err)
			}
			if done {
				for _, s := range segs[k+1:] {
					s.close()
				}
				segs = segs[:k+1]
				break
			}
			k++
			continue
		}
		if i == 0 {
			sc.boundary(sc.after) // the start of the log
			break
		}
		i--
		s, err := d.open(archives[i]) // missing: removed as the oldest since
		if err != nil {
			return fail(err)
		}
		// previous and the archive it is being linked to are one file.
		if s != nil && slices.ContainsFunc(segs, func(t *segment) bool { return t.dev == s.dev && t.ino == s.ino }) {
			s.close()
			s = nil
		}
		if s != nil {
			segs = append(segs, s)
		}
	}
	slices.Reverse(segs)
	h := &history{segs: segs}
	for _, s := range segs {
		h.total += s.size
	}
	h.end = h.total - sc.end
	h.first = h.end
	if sc.count > 0 {
		h.first = h.total - sc.oldest
	}
	for _, d := range slices.Backward(sc.starts) {
		h.starts = append(h.starts, h.total-d)
	}
	return h, nil
}

// locate returns the file holding offset a and the offset in it. The end
// of a file is the start of the next, if there is one.
func (h *history) locate(a int64) (int, int64) {
	for i, s := range h.segs {
		if a < s.size || i == len(h.segs)-1 {
			return i, a
		}
		a -= s.size
	}
	return 0, 0
}

func (h *history) close() {
	for _, s := range h.segs {
		if s != nil {
			s.close()
		}
	}
}

// scanner finds line starts backward from the end of a log. Positions are
// distances from the end, so that they need no knowledge of older files.
type scanner struct {
	n       int
	all     bool
	haveEnd bool  // end is known: the end of the log, or the first line start found
	end     int64 // where the lines end
	count   int   // line starts found before end
	oldest  int64 // the last one found
	starts  []int64
	after   int64 // the size of the files scanned whole
	buf     []byte
}

func (sc *scanner) done() bool { return sc.haveEnd && sc.count >= sc.n }

// boundary records a line start at distance p from the end, and reports
// whether enough are found.
func (sc *scanner) boundary(p int64) bool {
	switch {
	case !sc.haveEnd:
		sc.haveEnd, sc.end = true, p
	case p != sc.end:
		sc.count++
		sc.oldest = p
		if sc.all {
			sc.starts = append(sc.starts, p)
		}
	}
	return sc.done()
}

// scan reads s backward and records the line starts in it: after every
// newline, and at the end of an unsafe archive whose last line has none.
func (sc *scanner) scan(s *segment) (bool, error) {
	if sc.done() {
		return true, nil
	}
	for off := s.size; off > 0; {
		k := min(off, int64(len(sc.buf)))
		b := sc.buf[:k]
		if _, err := s.f.ReadAt(b, off-k); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF // it shrank
			}
			return false, &os.PathError{Op: "read", Path: s.f.Name(), Err: cause(err)}
		}
		if off == s.size && s.unsafe() && b[k-1] != '\n' && sc.boundary(sc.after) {
			return true, nil
		}
		off -= k
		for j := len(b); ; {
			if j = bytes.LastIndexByte(b[:j], '\n'); j < 0 {
				break
			}
			if sc.boundary(sc.after + s.size - (off + int64(j) + 1)) {
				return true, nil
			}
		}
		if len(sc.buf) < blockSize {
			sc.buf = make([]byte, 2*len(sc.buf))
		}
	}
	sc.after += s.size
	return false, nil
}
