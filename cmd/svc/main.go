// Command svc controls services monitored by supervise: svc [-udopchaitkx] dir ...
//
// The letters are sent to each dir's supervise/control in order of first
// appearance, repeats dropped, in one write per directory. Warnings never
// change the exit code: 0, or 111 if the working directory cannot be opened
// or restored, 100 for a bad option.
package main

import (
	"errors"
	"io"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/getopt"
	"github.com/daemontools-go/daemontools/internal/svdir"
)

const (
	letters = "udopchaitkx"
	usage   = "svc options: u up, d down, o once, x exit, p pause, c continue, h hup, a alarm, i interrupt, t term, k kill\n"
)

func main() { diag.Main("svc", run) }

func run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "svc", W: stderr}
	opts, dirs, err := getopt.Parse(args[1:], letters)
	if err != nil {
		io.WriteString(stderr, getopt.ProgName(args[0])+": "+err.Error()+"\n"+usage) //nolint:errcheck // nowhere to report it
		return diag.Exit(diag.ExitUsage)
	}
	cmds := commands(opts)
	orig, err := unix.Open(".", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return log.Failure(diag.ExitTemporary, "unable to open current directory", diag.Err(err))
	}
	defer unix.Close(orig)
	for _, dir := range dirs {
		if err := unix.Chdir(dir); err != nil {
			log.Warn("unable to chdir to ", dir, diag.Err(err))
		} else if err := svdir.Send(unix.AT_FDCWD, cmds); err != nil {
			warnControl(log, dir, err)
		}
		if err := unix.Fchdir(orig); err != nil {
			return log.Failure(diag.ExitTemporary, "unable to set directory", diag.Err(err))
		}
	}
	return nil
}

// warnControl reports a failed svdir.Send: the open of supervise/control
// or the write to it.
func warnControl(log diag.Logger, dir string, err error) {
	var ce *svdir.ControlError
	switch {
	case !errors.As(err, &ce):
		log.Warn("unable to control ", dir, diag.Err(err))
	case ce.Write:
		log.Warn("error writing commands to ", dir, diag.Err(ce.Err))
	default:
		log.Warn("unable to control ", dir, diag.Err(ce.Err))
	}
}

// commands returns the option letters in order of first appearance.
func commands(opts []getopt.Opt) []byte {
	var seen [256]bool
	var cmds []byte
	for _, o := range opts {
		if !seen[o.Letter] {
			seen[o.Letter] = true
			cmds = append(cmds, o.Letter)
		}
	}
	return cmds
}
