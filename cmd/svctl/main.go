// Command svctl controls and reports services run by supervise: status
// lines and JSON, control verbs that wait until the state is reached, and
// wait. See package svctl for the verbs, the status grammar and the exit
// codes.
package main

import (
	"io"
	"os"
	"runtime/debug"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/svctl"
)

func main() {
	// A short-lived command: its garbage is left to the exit, unless it
	// reaches 64 MiB (svctl log -f and wait run long). The collector's
	// threads otherwise cost a status of 1,000 services a third of its time.
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(64 << 20)
	}
	diag.Main("svctl", run)
}

func run(_ io.Reader, stdout, stderr io.Writer, args []string) error {
	return svctl.Main(stdout, stderr, args)
}
