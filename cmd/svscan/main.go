// Command svscan starts and monitors a collection of services: `svscan [dir]`.
// See internal/svscan and docs/svscan.md.
package main

import (
	"os"
	"runtime"

	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/svscan"
)

func main() {
	env, clean := lean.Prepare(os.Args, "svscan", []string{"GOMAXPROCS=1"})
	runtime.GOMAXPROCS(1)
	lean.Quiet()
	if clean && lean.RunsSibling(svscan.Supervise, env) {
		// Started clean, svscan starts every supervise clean: ours then
		// skips its own re-exec, which halves its start-up cost. Another
		// supervise (Debian's) would hand the variables to the services.
		env = lean.ChildEnv(env, lean.Supervise)
	}
	os.Exit(svscan.Run(os.Args, env, os.Stderr))
}
