// Command svscan starts and monitors a collection of services: `svscan [dir]`.
// See internal/svscan and docs/svscan.md.
package main

import (
	"os"
	"runtime"

	"github.com/daemontools-go/daemontools/internal/svscan"
)

func main() {
	runtime.GOMAXPROCS(1)
	os.Exit(svscan.Run(os.Args, os.Environ(), os.Stderr))
}
