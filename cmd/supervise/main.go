// Command supervise starts and monitors a service: supervise dir runs
// dir/run, restarts it when it exits, and obeys svc through
// dir/supervise/control, as daemontools 0.76 does.
package main

import (
	"os"

	"github.com/daemontools-go/daemontools/internal/superviseproc"
)

func main() { os.Exit(superviseproc.Main(os.Args)) }
