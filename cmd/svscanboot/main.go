// Command svscanboot runs svscan on a directory, its errors shown by
// readproctitle, after stopping what a previous instance left:
// `svscanboot [dir]` (default /etc/service). See internal/svscanboot.
package main

import (
	"os"
	"runtime"

	"github.com/daemontools-go/daemontools/internal/svscanboot"
)

func main() {
	runtime.GOMAXPROCS(1)
	os.Exit(svscanboot.Run(os.Args, os.Stderr))
}
