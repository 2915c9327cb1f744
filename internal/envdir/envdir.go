// Package envdir reads a directory of environment settings into edits for
// package pathexec, the way daemontools 0.76's envdir does.
//
// Every entry whose name does not start with '.' is read in directory
// (readdir) order. A file of 0 bytes removes the variable named after it.
// Otherwise the value is the file's first line, with trailing spaces and
// tabs removed and each NUL byte turned into a newline; an empty value still
// sets the variable.
//
// 0.76's stale-value bug is kept, for fidelity: an entry that cannot be
// opened because it does not exist (a dangling symlink, a file removed
// during the scan) gets no fresh value, so it is removed if it is the first
// entry read, and otherwise set from the previous entry's leftover buffer
// (see Value).
package envdir

import (
	"bytes"
	"strings"

	"github.com/daemontools-go/daemontools/internal/pathexec"
)

// Value holds what 0.76 keeps between entries: the read buffer, which after
// an entry holds its value followed by a NUL byte (or nothing, for a 0-byte
// file).
type Value struct {
	buf []byte
}

// Next computes the edit for the entry name whose file holds content, or
// whose file did not exist (missing), and keeps the buffer for the next
// entry.
func (v *Value) Next(name string, content []byte, missing bool) pathexec.Edit {
	if !missing {
		v.buf = content
	}
	if len(v.buf) == 0 {
		return edit(name, "", true)
	}
	val := v.buf
	if i := bytes.IndexByte(val, '\n'); i >= 0 {
		val = val[:i]
	}
	val = bytes.TrimRight(val, " \t")
	out := make([]byte, len(val), len(val)+1)
	for i, c := range val {
		if c == 0 {
			c = '\n'
		}
		out[i] = c
	}
	v.buf = append(out, 0)
	return edit(name, string(out), false)
}

// edit builds the edit that 0.76 makes from the string NAME=VALUE (or NAME,
// for a removal): the variable's name is taken up to the first '=' of that
// string. A file named "A=B" holding "x" therefore sets A to "B=x", and an
// empty file named "A=B" sets A to "B".
func edit(name, value string, remove bool) pathexec.Edit {
	n, rest, hasEq := strings.Cut(name, "=")
	switch {
	case !hasEq:
		return pathexec.Edit{Name: name, Value: value, Remove: remove}
	case remove:
		return pathexec.Edit{Name: n, Value: rest}
	default:
		return pathexec.Edit{Name: n, Value: rest + "=" + value}
	}
}
