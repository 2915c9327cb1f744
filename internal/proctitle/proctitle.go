// Package proctitle is readproctitle's logic: a window on the most recent
// bytes of a log, kept in the process's own argument memory so that `ps ax`
// and /proc/PID/cmdline show it.
//
// Go's os.Args strings are not copies: the runtime makes them point into
// the argument area the kernel set up (runtime.goargs uses
// gostringnocopy), which is where /proc/PID/cmdline reads. ArgBytes turns
// such a string back into writable bytes, and Title keeps the log there.
package proctitle

import "unsafe"

// MinLen is the shortest last argument readproctitle accepts.
const MinLen = 5

// keep is how many leading bytes never change: 0.76 shifts bytes 4..len-1
// down by one, so bytes 0..2 keep their first value ('.') forever.
const keep = 3

// ArgBytes returns the bytes of an os.Args string, in place: writing them
// changes the process's argument memory. The string must not be used as a
// string afterwards.
func ArgBytes(s string) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// Title is the last argument of readproctitle.
type Title []byte

// Reset overwrites every byte with '.'.
func (t Title) Reset() {
	for i := range t {
		t[i] = '.'
	}
}

// Append adds p at the right end, as if byte by byte: NUL bytes are
// skipped, and each other byte shifts bytes 4..len-1 one place to the left
// before taking the last place. Bytes 0..2 stay as they are. scratch is
// reused to hold p without NULs; Append returns it.
func (t Title) Append(p, scratch []byte) []byte {
	b := scratch[:0]
	for _, c := range p {
		if c != 0 {
			b = append(b, c)
		}
	}
	win := t[keep:]
	if len(b) >= len(win) {
		copy(win, b[len(b)-len(win):])
	} else {
		copy(win, win[len(b):])
		copy(win[len(win)-len(b):], b)
	}
	return b
}
