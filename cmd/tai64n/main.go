// Command tai64n puts a precise timestamp on each line:
//
//	tai64n
//
// It reads lines from standard input and writes each one to standard
// output preceded by '@', a TAI64N label of the moment its first byte was
// read, and a space. Arguments are ignored. A read or write error ends it
// with exit code 111 and no message.
package main

import (
	"io"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/tai64n"
)

func main() { diag.Main("tai64n", run) }

func run(stdin io.Reader, stdout, _ io.Writer, _ []string) error {
	if err := tai64n.Filter(stdin, stdout, &tai64n.Stamper{}); err != nil {
		return diag.Exit(diag.ExitTemporary)
	}
	return nil
}
