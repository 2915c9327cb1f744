// Command svstat prints the status of services monitored by supervise:
// svstat dir ... writes one line per dir on stdout, errors included, and
// exits 0. Every argument is a directory, even one starting with '-'.
package main

import (
	"io"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/svdir"
)

func main() { diag.Main("svstat", run) }

func run(_ io.Reader, stdout, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "svstat", W: stderr}
	orig, err := unix.Open(".", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return log.Failure(diag.ExitTemporary, "unable to open current directory", diag.Err(err))
	}
	defer unix.Close(orig)
	// Output is buffered and written at the end: a fatal error loses it, as
	// in 0.76.
	var out []byte
	var l svdir.Lister
	for _, dir := range args[1:] {
		out = append(out, dir...)
		out = append(out, ": "...)
		if err := unix.Chdir(dir); err != nil {
			out = svdir.AppendError(out, &svdir.StatError{Step: "chdir", Err: err})
		} else {
			out = l.AppendLine(out, unix.AT_FDCWD, time.Now().Unix())
		}
		out = append(out, '\n')
		if err := unix.Fchdir(orig); err != nil {
			return log.Failure(diag.ExitTemporary, "unable to set directory", diag.Err(err))
		}
	}
	if len(out) > 0 {
		stdout.Write(out) //nolint:errcheck // as 0.76, exit 0 whatever the write did
	}
	return nil
}
