// Command setlock runs a program while holding a lock on a file.
//
//	setlock [-nNxX] file program [arg...]
//
// It opens file for append (creating it 0600), takes an exclusive flock on
// it, waiting for it (-N, the default) or failing at once if it is held
// (-n), and execs program with the locked descriptor inherited. With -x a
// file that cannot be opened or locked makes setlock exit 0 silently; -X
// (the default) complains. The last of each pair wins.
//
// The lock is on the lowest free descriptor, 3 normally, as in 0.76: the
// directive below keeps the Go runtime from holding cgroup files open on 3
// and 4. (With non-blocking standard descriptors the runtime's poller still
// takes two descriptors, and the lock lands on 5.)
//
//go:debug containermaxprocs=0
package main

import (
	"io"
	"os"

	"github.com/daemontools-go/daemontools/internal/chain"
	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/getopt"
	"github.com/daemontools-go/daemontools/internal/lockfile"
	"github.com/daemontools-go/daemontools/internal/pathexec"
)

const usage = "setlock [ -nNxX ] file program [ arg ... ]"

func main() { diag.Main("setlock", run) }

// execve replaces the process with the program; tests of run replace it.
var execve chain.Execve = pathexec.Exec

func run(_ io.Reader, _, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "setlock", W: stderr}
	if len(args) == 0 {
		return log.UsageError(usage)
	}
	opts, rest, err := getopt.Parse(args[1:], "nNxX")
	if err != nil {
		chain.OptionError(stderr, args[0], err)
		return log.UsageError(usage)
	}
	wait, quiet := true, false
	for _, o := range opts {
		switch o.Letter {
		case 'n', 'N':
			wait = o.Letter == 'N'
		case 'x', 'X':
			quiet = o.Letter == 'x'
		}
	}
	if len(rest) < 2 {
		return log.UsageError(usage)
	}
	file := rest[0]
	fd, err := lockfile.OpenAppend(file)
	if err != nil {
		return fail(log, quiet, "unable to open ", file, err)
	}
	if err := lockfile.Lock(fd, wait); err != nil {
		return fail(log, quiet, "unable to lock ", file, err)
	}
	return chain.Exec(log, execve, rest[1:], os.Environ())
}

// fail ends setlock after an open or lock failure: silently with 0 under -x.
func fail(log diag.Logger, quiet bool, what, file string, err error) error {
	if quiet {
		return nil
	}
	return log.Failure(diag.ExitTemporary, what, file, diag.Err(err))
}
