// Command supervise starts and monitors a service: supervise dir runs
// dir/run, restarts it when it exits, and obeys svc through
// dir/supervise/control, as daemontools 0.76 does (docs/supervise.md).
package main

import (
	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/superviseproc"
)

func main() { diag.Main("supervise", superviseproc.Run) }
