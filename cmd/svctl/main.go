// Command svctl controls and reports services run by supervise: status
// lines and JSON, control verbs that wait until the state is reached, and
// wait. See package svctl for the verbs, the status grammar and the exit
// codes.
package main

import (
	"io"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/svctl"
)

func main() { diag.Main("svctl", run) }

func run(_ io.Reader, stdout, stderr io.Writer, args []string) error {
	return svctl.Main(stdout, stderr, args)
}
