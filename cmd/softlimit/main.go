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
	"syscall"

	"github.com/daemontools-go/daemontools/internal/chain"
	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/getopt"
	"github.com/daemontools-go/daemontools/internal/limits"
	"github.com/daemontools-go/daemontools/internal/pathexec"
)

const usage = "softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] [-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] [-s stackbytes] [-t cpusecs] child"

func main() { os.Exit(run(os.Args, os.Environ(), os.Stderr)) }

func run(args, env []string, stderr io.Writer) int {
	log := diag.Logger{Prog: "softlimit", W: stderr}
	if len(args) == 0 {
		return chain.Usage(log, usage, diag.ExitUsage)
	}
	opts, child, optErr := getopt.Parse(args[1:], limits.Spec)
	// 0.76 handles options one by one: a bad value before a bad option
	// gives the usage line alone.
	settings, err := limits.Parse(opts)
	if err != nil {
		return chain.Usage(log, usage, diag.ExitUsage)
	}
	if optErr != nil {
		chain.OptionError(stderr, args[0], optErr)
		return chain.Usage(log, usage, diag.ExitUsage)
	}
	if len(child) == 0 {
		return chain.Usage(log, usage, diag.ExitUsage)
	}
	prepared, err := pathexec.Prepare(child, env)
	if err != nil {
		log.Fatal("unable to run ", child[0], diag.Err(err))
		return diag.ExitTemporary
	}
	late := lateFatal{w: stderr, buf: make([]byte, 0, 128+len(child[0]))}
	if op, errno := limits.Apply(settings); op != "" {
		late.write(op, " failed: ", errstr.Errno(errno))
		return diag.ExitTemporary
	}
	err = prepared.Exec()
	errno, _ := err.(syscall.Errno)
	late.write("unable to run ", child[0], ": ", errstr.Errno(errno))
	return diag.ExitTemporary
}

// lateFatal writes "softlimit: fatal: ..." lines into memory reserved before
// the limits were applied, so that writing one allocates nothing.
type lateFatal struct {
	w   io.Writer
	buf []byte
}

func (l *lateFatal) write(parts ...string) {
	l.buf = append(l.buf[:0], "softlimit: fatal: "...)
	for _, p := range parts {
		l.buf = append(l.buf, p...)
	}
	l.buf = append(l.buf, '\n')
	l.w.Write(l.buf) //nolint:errcheck // nowhere to report it
}
