package multilog

import (
	"bytes"

	"github.com/daemontools-go/daemontools/internal/tai64n"
)

// lineMax is the size of 0.76's line buffer: matching, e and = see at most
// this many bytes of a line (timestamp included); directories get it all.
const lineMax = 1000

// eMax is how much of a line the e action prints before "...".
const eMax = 200

// flushAt bounds a directory's pending output between read boundaries.
const flushAt = 256 << 10

// act is one action bound to its file or directory.
type act struct {
	kind    Kind
	pattern string
	dir     *logDir
	status  *statusFile
}

// lines cuts input into lines and runs the script on each (§9.3, §9.4).
// A line's first lineMax bytes (the "view") are held until the line ends
// or the view is full, because the selection depends on them; after that
// the rest of the line streams to the selected directories.
type lines struct {
	env       *Env
	acts      []act
	dirs      []*logDir
	status    []*statusFile
	timestamp bool
	needView  bool // some action looks at lines (+, -, e, =)

	stamper   tai64n.Stamper
	view      []byte // the current line's first bytes, timestamp included
	inLine    bool   // a line has started and not ended
	streaming bool   // the view is full; the rest goes to directories only
	errOut    []byte // e output not yet written
}

func newLines(env *Env, s Script, acts []act, dirs []*logDir, status []*statusFile) *lines {
	l := &lines{env: env, acts: acts, dirs: dirs, status: status, timestamp: s.Timestamp,
		view: make([]byte, 0, lineMax)}
	l.stamper.Now = env.Now
	for _, a := range acts {
		if a.kind != Dir {
			l.needView = true
		}
	}
	for _, d := range dirs {
		d.sel = true // stays true when nothing selects
	}
	return l
}

// feed processes a block of input that one read(2) returned. Lines that
// start in it are labelled with the time of that read.
func (l *lines) feed(p []byte) {
	if l.timestamp && len(p) > 0 {
		l.stamper.Tick()
	}
	for len(p) > 0 {
		if !l.inLine && !l.needView {
			// Fast path: every line goes to every directory unchanged.
			i := bytes.IndexByte(p, '\n')
			if i >= 0 {
				l.wholeLine(p[:i+1])
				p = p[i+1:]
				continue
			}
		}
		if !l.inLine {
			l.inLine = true
			l.view = l.view[:0]
			if l.timestamp {
				l.view = append(l.view, l.stamper.Label()...)
			}
		}
		if l.streaming {
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				l.emit(p)
				return
			}
			l.emit(p[:i])
			l.endLine()
			p = p[i+1:]
			continue
		}
		q := p[:min(len(p), lineMax-len(l.view))]
		if i := bytes.IndexByte(q, '\n'); i >= 0 {
			l.view = append(l.view, q[:i]...)
			l.decide()
			l.endLine()
			p = p[i+1:]
			continue
		}
		l.view = append(l.view, q...)
		p = p[len(q):]
		if len(l.view) == lineMax {
			l.decide()
			l.streaming = true
		}
	}
}

// wholeLine appends a complete line (with its '\n') to every directory.
func (l *lines) wholeLine(line []byte) {
	var stamp []byte
	if l.timestamp {
		stamp = l.stamper.Label()
	}
	for _, d := range l.dirs {
		d.out = append(d.out, stamp...)
		d.out = append(d.out, line...)
		if len(d.out) >= flushAt {
			d.flush()
		}
	}
}

// eof ends a partial last line as if its newline had arrived.
func (l *lines) eof() {
	if !l.inLine {
		return
	}
	if !l.streaming {
		l.decide()
	}
	l.endLine()
}

// decide runs the script on the view and sends it to selected directories.
func (l *lines) decide() {
	sel := true
	for i := range l.acts {
		a := &l.acts[i]
		switch a.kind {
		case Select:
			if !sel && Match(a.pattern, l.view) {
				sel = true
			}
		case Deselect:
			if sel && Match(a.pattern, l.view) {
				sel = false
			}
		case Stderr:
			if sel {
				l.printErr(l.view)
			}
		case Status:
			if sel {
				a.status.set(l.view)
			}
		case Dir:
			a.dir.sel = sel
		}
	}
	l.emit(l.view)
}

func (l *lines) printErr(view []byte) {
	if len(view) > eMax {
		l.errOut = append(l.errOut, view[:eMax]...)
		l.errOut = append(l.errOut, "...\n"...)
	} else {
		l.errOut = append(l.errOut, view...)
		l.errOut = append(l.errOut, '\n')
	}
	if len(l.errOut) >= flushAt {
		l.flushErr()
	}
}

func (l *lines) flushErr() {
	if len(l.errOut) > 0 {
		l.env.Stderr.Write(l.errOut) //nolint:errcheck // as 0.76, e output errors are ignored
		l.errOut = l.errOut[:0]
	}
}

// emit appends p to every selected directory.
func (l *lines) emit(p []byte) {
	for _, d := range l.dirs {
		if d.sel {
			d.out = append(d.out, p...)
			if len(d.out) >= flushAt {
				d.flush()
			}
		}
	}
}

func (l *lines) endLine() {
	l.emit(newline)
	l.inLine, l.streaming = false, false
}

// flush writes everything pending: e output, status files, directories.
func (l *lines) flush() {
	l.flushErr()
	for _, s := range l.status {
		s.flush()
	}
	for _, d := range l.dirs {
		d.flush()
	}
}

var newline = []byte{'\n'}
