// Command svscanboot runs svscan on a directory, its errors shown by
// readproctitle, after stopping what a previous instance left:
// `svscanboot [-C] [dir]` (default /etc/service). See internal/svscanboot.
package main

import (
	"runtime"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/svscanboot"
)

func main() {
	runtime.GOMAXPROCS(1)
	diag.Main("svscanboot", svscanboot.Run)
}
