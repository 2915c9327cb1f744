// Command svstat prints the status of services monitored by supervise:
// svstat dir ... writes one line per dir on stdout, errors included, and
// exits 0. Every argument is a directory, even one starting with '-'.
package main

import (
	"io"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/svdir"
)

func main() { os.Exit(run(os.Args, os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	log := diag.Logger{Prog: "svstat", W: stderr}
	orig, err := unix.Open(".", unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		log.Fatal("unable to open current directory", diag.Err(err))
		return diag.ExitTemporary
	}
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
			log.Fatal("unable to set directory", diag.Err(err))
			return diag.ExitTemporary
		}
	}
	if len(out) > 0 {
		stdout.Write(out)
	}
	return 0
}
