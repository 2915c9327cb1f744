// Command svctl-serve is svctl serve: Prometheus metrics and a dashboard
// of the services of scan directories, over HTTP, read-only. svctl runs it
// for `svctl serve`; it lives apart so that svctl's other verbs do not
// carry the HTTP server and the Prometheus client. See package serve.
package main

import (
	"io"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/serve"
)

func main() { diag.Main("svctl", run) }

func run(_ io.Reader, stdout, stderr io.Writer, args []string) error {
	return serve.Main(stdout, stderr, args)
}
