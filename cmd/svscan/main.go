// Command svscan starts and monitors a collection of services:
// `svscan [-C] [-P] [dir]`. See internal/svscan and docs/svscan.md.
package main

import (
	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/svscan"
)

func main() { diag.Main("svscan", svscan.Run) }
