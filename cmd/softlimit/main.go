// Command softlimit runs a program with lower soft resource limits.
//
//	softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes]
//	          [-l lockbytes] [-m membytes] [-o openfiles] [-p processes]
//	          [-r residentbytes] [-s stackbytes] [-t cpusecs] child...
//
// A value is decimal ("" counts as 0), or "=" to raise the soft limit to the
// hard limit; a value above the hard limit is lowered to it. Options apply
// in command-line order. See package limits.
//
// Every option is checked before any limit changes, and the exec is made
// ready (package pathexec's Prepared) before the limits are applied: with a
// low RLIMIT_AS or RLIMIT_DATA the Go runtime could no longer grow its heap,
// so from then on nothing allocates, messages included.
package main

import (
	"io"
	"os"

	"github.com/daemontools-go/daemontools/internal/chain"
	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/getopt"
	"github.com/daemontools-go/daemontools/internal/limits"
	"github.com/daemontools-go/daemontools/internal/pathexec"
)

const usage = "softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] [-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] [-s stackbytes] [-t cpusecs] child"

func main() { diag.Main("softlimit", run) }

// execPrepared replaces the process with the child; tests of run replace
// it with a stand-in, which returns 0 for an exec that happened.
var execPrepared = (*pathexec.Prepared).Exec

func run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "softlimit", W: stderr}
	if len(args) == 0 {
		return log.UsageError(usage)
	}
	opts, child, optErr := getopt.Parse(args[1:], limits.Spec)
	// 0.76 handles options one by one: a bad value before a bad option
	// gives the usage line alone.
	settings, err := limits.Parse(opts)
	if err != nil {
		return log.UsageError(usage)
	}
	if optErr != nil {
		chain.OptionError(stderr, args[0], optErr)
		return log.UsageError(usage)
	}
	if len(child) == 0 {
		return log.UsageError(usage)
	}
	prepared, err := pathexec.Prepare(child, os.Environ())
	if err != nil {
		return log.Failure(diag.ExitTemporary, "unable to run ", child[0], diag.Err(err))
	}
	late := lateFatal{w: stderr, buf: make([]byte, 0, 128+len(child[0])), exit: diag.Exit(diag.ExitTemporary)}
	if op, errno := limits.Apply(settings); op != "" {
		return late.fail(op, " failed: ", errstr.Errno(errno))
	}
	if errno := execPrepared(prepared); errno != 0 {
		return late.fail("unable to run ", child[0], ": ", errstr.Errno(errno))
	}
	return nil
}

// lateFatal ends softlimit after the limits are applied, allocating
// nothing: it writes "softlimit: fatal: ..." into memory reserved before
// and returns an error made before (diag.Code maps it without allocating).
type lateFatal struct {
	w    io.Writer
	buf  []byte
	exit error
}

func (l *lateFatal) fail(parts ...string) error {
	l.write(parts...)
	return l.exit
}

func (l *lateFatal) write(parts ...string) {
	l.buf = append(l.buf[:0], "softlimit: fatal: "...)
	for _, p := range parts {
		l.buf = append(l.buf, p...)
	}
	l.buf = append(l.buf, '\n')
	l.w.Write(l.buf) //nolint:errcheck // nowhere to report it
}
