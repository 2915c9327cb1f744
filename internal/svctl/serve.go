package svctl

import (
	"os"
	"os/exec"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
)

// ServeProgram is the program that svctl serve runs (package
// internal/serve, cmd/svctl-serve), found beside svctl's own executable or
// else in $PATH. The HTTP server and the Prometheus client library live
// there, not in svctl: linking them in would add about 8 ms to the start
// of every svctl command (their package initialisation and a binary more
// than three times the size), for the one verb that runs for days.
const ServeProgram = "svctl-serve"

// ServeUsage is the usage line of svctl serve, after "svctl ".
const ServeUsage = "serve [--listen ADDR] DIR..."

// ServeHelp is what svctl serve --help prints after the usage line.
const ServeHelp = `Serves, over HTTP, the state of the services of the scan directories DIR
(such as /etc/service), found as svscan finds them, their loggers included.
Read-only: nothing it serves can change a service. It runs until TERM or INT.

  GET /              a dashboard of every service that updates itself
  GET /metrics       Prometheus metrics: daemontools_service_* per service
  GET /api/services  the dashboard's data as JSON
  GET /api/events    the same as server-sent events (a full document, then
                     what changed, every second)

  --listen ADDR  listen on ADDR, host:port (default 127.0.0.1:9717).
                 Warning: an address other than a loopback one shows the
                 state and the logs of every service to whoever can reach
                 it, without authentication.

A service whose supervisor does not run has only the series
daemontools_service_supervised 0; under Debian's supervise, which does not
record them, ready, restarts_total, last_exit_code and backoff are left out.

Bound to a loopback address, it answers 421 to a request whose Host header
names another host (DNS rebinding).

Exit codes: 0 stopped by TERM or INT; 100 usage; 111 a DIR that cannot be
read when it starts, an address it cannot listen on, or no ` + ServeProgram + `.
`

// runServe is svctl serve: it prints its help, or replaces svctl with
// ServeProgram, which parses the arguments itself.
func runServe(c *cli, v *verb, args []string) error {
	for _, a := range args {
		if a == "--" {
			break
		}
		if a == "-h" || a == "--help" {
			return c.printHelp(v)
		}
	}
	path, err := serveProgram()
	if err != nil {
		return c.log.Failure(diag.ExitTemporary, "unable to find ", ServeProgram, diag.Err(err))
	}
	err = unix.Exec(path, append([]string{ServeProgram}, args...), os.Environ())
	return c.log.Failure(diag.ExitTemporary, "unable to run ", path, diag.Err(err))
}

// serveProgram finds ServeProgram beside the running svctl, or in $PATH.
func serveProgram() (string, error) {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), ServeProgram)
		if unix.Access(p, unix.X_OK) == nil {
			return p, nil
		}
	}
	return exec.LookPath(ServeProgram)
}
