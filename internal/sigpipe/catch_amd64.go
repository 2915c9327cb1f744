package sigpipe

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// wfd is the descriptor the handler writes to.
var wfd int64 = -1

func handler()
func restorer()
func handlerPC() uintptr
func restorerPC() uintptr

// kernelSigaction is the kernel's struct sigaction on amd64.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

const (
	saSiginfo  = 0x4
	saOnstack  = 0x08000000
	saRestart  = 0x10000000
	saRestorer = 0x04000000
)

// Native reports whether signals are relayed by the package's own handler.
const Native = true

func catch(w int, sig syscall.Signal) error {
	wfd = int64(w)
	sa := kernelSigaction{handler: handlerPC(), flags: saSiginfo | saOnstack | saRestart | saRestorer, restorer: restorerPC()}
	_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&sa)), 0, 8, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}
