// Command svok checks whether supervise is running in a service directory:
// svok dir exits 0 if it is, 100 if not, 111 on trouble. Only the first
// argument is used.
package main

import (
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/svdir"
)

func main() { os.Exit(run(os.Args, os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	log := diag.Logger{Prog: "svok", W: stderr}
	if len(args) < 2 {
		log.Usage("svok dir")
		return diag.ExitUsage
	}
	dir := args[1]
	if err := unix.Chdir(dir); err != nil {
		log.Fatal("unable to chdir to ", dir, diag.Err(err))
		return diag.ExitTemporary
	}
	ok, err := svdir.Running(unix.AT_FDCWD)
	if err != nil {
		log.Fatal("unable to open ", dir, "/", svdir.OKFIFO, diag.Err(err))
		return diag.ExitTemporary
	}
	if !ok {
		return diag.ExitUsage
	}
	return 0
}
