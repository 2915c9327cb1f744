package unit

import (
	"syscall"

	"github.com/daemontools-go/daemontools/internal/procs"
	"github.com/daemontools-go/daemontools/internal/supervise"
)

// scratch is what units use only while one of them handles an event: one
// copy for the whole process, which runs one goroutine (a host), so that a
// unit costs little memory when there are thousands (svscan -C). Nothing
// here is kept across events.
var scratch struct {
	acts  []supervise.Action // the machine's actions for one event
	json  []byte             // state.json
	buf   [128]byte          // a service-directory file, a control byte
	left  []int              // what is left of a service
	roots []int              // where the search for it starts
	kids  []int              // the host's children
	procs procs.Reader       // /proc
	// A child's attributes, while it is started (ForkExec keeps nothing).
	attr  syscall.ProcAttr
	sys   syscall.SysProcAttr
	files [3]uintptr
}

// The buffers start at the size they reach: grown by appends they would
// touch a heap span of every size on the way, which a process as small
// as supervise notices.
func init() {
	scratch.acts = make([]supervise.Action, 0, 16)
	scratch.json = make([]byte, 0, 896) // a document is about 450 bytes
}
