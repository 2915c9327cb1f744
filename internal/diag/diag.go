// Package diag writes daemontools' diagnostic lines:
//
//	PROG: fatal: TEXT
//	PROG: warning: TEXT
//	PROG: usage: PROG ...
//
// one line per message, in a single write, with no trailing period. PROG is
// a fixed literal, never taken from argv[0]. System errors are rendered with
// package errstr by the caller, or with Err here.
package diag

import (
	"io"

	"github.com/daemontools-go/daemontools/internal/errstr"
)

// Exit codes shared by all programs.
const (
	ExitUsage     = 100 // usage error or permanent failure
	ExitTemporary = 111 // temporary or system failure
)

// Logger writes diagnostics for one program.
type Logger struct {
	Prog string
	W    io.Writer
}

// Fatal writes "PROG: fatal: " followed by parts.
func (l Logger) Fatal(parts ...string) { l.line("fatal: ", parts) }

// Warn writes "PROG: warning: " followed by parts.
func (l Logger) Warn(parts ...string) { l.line("warning: ", parts) }

// Usage writes "PROG: usage: " followed by text.
func (l Logger) Usage(text string) { l.line("usage: ", []string{text}) }

func (l Logger) line(kind string, parts []string) {
	b := l.appendLine(nil, kind, parts)
	l.W.Write(append(b, '\n')) //nolint:errcheck // nowhere to report a failed diagnostic
}

// text is the line "PROG: KIND PARTS" without its newline.
func (l Logger) text(kind string, parts []string) string {
	return string(l.appendLine(nil, kind, parts))
}

func (l Logger) appendLine(b []byte, kind string, parts []string) []byte {
	n := len(l.Prog) + 2 + len(kind) + 1
	for _, p := range parts {
		n += len(p)
	}
	if b == nil {
		b = make([]byte, 0, n)
	}
	b = append(b, l.Prog...)
	b = append(b, ": "...)
	b = append(b, kind...)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// Err renders err as ": TEXT" with daemontools' error texts, ready to end a message.
func Err(err error) string { return ": " + errstr.Text(err) }

func errstrText(err error) string { return errstr.Text(err) }
