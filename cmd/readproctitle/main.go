// Command readproctitle keeps the tail of its standard input in its own
// process title: `readproctitle L... D`. See internal/proctitle.
package main

import (
	"os"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/proctitle"
	"golang.org/x/sys/unix"
)

func main() {
	lean.Quiet()
	os.Exit(run(os.Args))
}

// run writes into the argument memory behind args, so it is only ever
// called with os.Args. It prints nothing, as 0.76.
func run(args []string) int {
	if len(args) < 2 {
		return diag.ExitUsage
	}
	title := proctitle.Title(proctitle.ArgBytes(args[len(args)-1]))
	title.Reset()
	if len(title) < proctitle.MinLen {
		return diag.ExitUsage
	}
	buf := make([]byte, 4096)
	scratch := make([]byte, 0, len(buf))
	for {
		n, err := unix.Read(0, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return diag.ExitTemporary
		}
		if n == 0 {
			return 0
		}
		scratch = title.Append(buf[:n], scratch)
	}
}
