// Command tai64nlocal converts precise TAI64N timestamps to a
// human-readable local time:
//
//	tai64nlocal
//
// A line starting with '@' and a TAI64N label gets the label replaced by
// YYYY-MM-DD HH:MM:SS.NNNNNNNNN in the time zone of $TZ; other lines are
// copied unchanged. Arguments are ignored. A read or write error ends it
// with exit code 111 and no message.
package main

import (
	"io"
	"os"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/tai64nlocal"
)

func main() { diag.Main("tai64nlocal", run) }

func run(stdin io.Reader, stdout, _ io.Writer, _ []string) error {
	tz, set := os.LookupEnv("TZ")
	if err := tai64nlocal.Convert(stdin, stdout, tai64nlocal.LoadZone(tz, set)); err != nil {
		return diag.Exit(diag.ExitTemporary)
	}
	return nil
}
