package sigpipe

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// waitReadable waits until the pipe is readable, at most d.
func waitReadable(t *testing.T, p *Pipe, d time.Duration) {
	t.Helper()
	fds := []unix.PollFd{{Fd: int32(p.Fd()), Events: unix.POLLIN}}
	deadline := time.Now().Add(d)
	for {
		n, err := unix.Poll(fds, int(time.Until(deadline)/time.Millisecond))
		if err == unix.EINTR {
			continue
		}
		if n == 1 {
			return
		}
		t.Fatalf("pipe not readable within %v (%v)", d, err)
	}
}

func threads(t *testing.T) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// Signals sent to the process come out of the pipe, by number; SIGCHLD of
// many children at once wakes the reader and loses no child.
func TestCatch(t *testing.T) {
	p, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	before := threads(t)
	if err := p.Catch(syscall.SIGUSR2, syscall.SIGCHLD, syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	if Native && threads(t) != before {
		t.Errorf("catching started threads: %d -> %d", before, threads(t))
	}
	syscall.Kill(os.Getpid(), syscall.SIGUSR2)
	syscall.Kill(os.Getpid(), syscall.SIGHUP)
	var set Set
	deadline := time.Now().Add(10 * time.Second)
	for !(set[syscall.SIGUSR2] && set[syscall.SIGHUP]) {
		waitReadable(t, p, time.Until(deadline))
		p.Drain(&set)
	}
	if set[syscall.SIGCHLD] {
		t.Error("SIGCHLD without a child")
	}
	// 50 children: every exit is reaped after the pipe says so.
	for i := 0; i < 50; i++ {
		if _, err := syscall.ForkExec("/bin/true", []string{"true"}, &syscall.ProcAttr{}); err != nil {
			t.Fatal(err)
		}
	}
	reaped := 0
	for reaped < 50 {
		set = Set{}
		waitReadable(t, p, time.Until(deadline))
		p.Drain(&set)
		if !set[syscall.SIGCHLD] {
			t.Fatalf("woken without SIGCHLD: %v", set)
		}
		for {
			var ws unix.WaitStatus
			pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
			reaped++
		}
	}
	if Native && threads(t) > before+1 {
		t.Errorf("threads %d -> %d", before, threads(t))
	}
}

// A child started after Catch has the default action again.
func TestChildDefault(t *testing.T) {
	p, err := Open()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Catch(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	defer func() {
		// Back to Go's handling for the rest of the test binary.
		var sa [4]uint64
		unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(syscall.SIGTERM), uintptr(unsafePointer(&sa)), 0, 8, 0, 0)
	}()
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", "exec sleep 10"}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	syscall.Kill(pid, syscall.SIGTERM)
	var ws syscall.WaitStatus
	for {
		if _, err := syscall.Wait4(pid, &ws, 0, nil); err != syscall.EINTR {
			break
		}
	}
	if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("child: %v", ws)
	}
}
