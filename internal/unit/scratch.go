package unit

import (
	"github.com/daemontools-go/daemontools/internal/procs"
	"github.com/daemontools-go/daemontools/internal/supervise"
)

// scratch is what units use only while one of them handles an event: one
// copy for the whole process, which runs one goroutine (a host), so that a
// unit costs little memory when there are thousands (svscan -C). Nothing
// here is kept across events.
var scratch struct {
	acts  []supervise.Action // the machine's actions for one event
	json  []byte             // state.json, the instance file
	buf   [128]byte          // a service-directory file, a control byte
	left  []int              // what is left of a service
	roots []int              // where the search for it starts
	kids  []int              // the host's children
	procs procs.Reader       // /proc
}
