// Command readproctitle keeps the tail of its standard input in its own
// process title: `readproctitle L... D`. See internal/proctitle.
package main

import (
	"io"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/proctitle"
)

func main() {
	lean.Quiet()
	diag.Main("readproctitle", run)
}

// run writes into the memory behind its last argument: called by main, the
// process's argument area, which ps shows; called by a test, the bytes of a
// string the test made for it. It prints nothing, as 0.76. Standard input
// that is a file is read with raw read(2) calls, as 0.76 does.
func run(stdin io.Reader, _, _ io.Writer, args []string) error {
	if len(args) < 2 {
		return diag.Exit(diag.ExitUsage)
	}
	title := proctitle.Title(proctitle.ArgBytes(args[len(args)-1]))
	title.Reset()
	if len(title) < proctitle.MinLen {
		return diag.Exit(diag.ExitUsage)
	}
	read := stdin.Read
	if fd, ok := diag.Fd(stdin); ok {
		read = func(b []byte) (int, error) { return readFd(fd, b) }
	}
	buf := make([]byte, 4096)
	scratch := make([]byte, 0, len(buf))
	for {
		n, err := read(buf)
		if n > 0 {
			scratch = title.Append(buf[:n], scratch)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return diag.Exit(diag.ExitTemporary)
		}
	}
}

// readFd reads fd as 0.76 does: EINTR is retried, end of file is io.EOF,
// any other error (EAGAIN on a non-blocking descriptor too) is returned.
func readFd(fd int, b []byte) (int, error) {
	for {
		n, err := unix.Read(fd, b)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}
