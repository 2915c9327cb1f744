// Package proc starts the benchmark's processes and owns every wait4 of the
// harness: one goroutine reaps all children (with their rusage) and hands
// each result to whoever started that process; orphans re-parented to the
// harness (it is a child subreaper) are reaped and forgotten.
//
// Everything runs in its own process group. Stop forbids new starts and
// kills every descendant, so that an interrupted benchmark leaves nothing
// behind.
package proc

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/procfs"
)

// ErrStopping is returned by Start once Stop has been called.
var ErrStopping = errors.New("proc: stopping")

// Result is how a process ended.
type Result struct {
	Status unix.WaitStatus
	Rusage unix.Rusage
}

// Ok reports a normal exit with code 0.
func (r Result) Ok() bool { return r.Status.Exited() && r.Status.ExitStatus() == 0 }

// CPU is user plus system time in seconds.
func (r Result) CPU() float64 {
	return tv(r.Rusage.Utime) + tv(r.Rusage.Stime)
}

func tv(t unix.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// Proc is a started process.
type Proc struct {
	Pid  int
	done chan struct{}
	res  Result
}

// Spec says what to start. Argv[0] must be a path. Nil files are /dev/null.
type Spec struct {
	Argv                  []string
	Dir                   string
	Env                   []string // nil: this process's environment
	Stdin, Stdout, Stderr *os.File
}

var (
	mu       sync.Mutex
	waiters  = map[int]*Proc{}
	stopping bool
	kick     = make(chan struct{}, 1)
	devnull  *os.File
	initOnce sync.Once
	initErr  error
)

// Init makes this process a child subreaper and starts the reaper.
func Init() error {
	initOnce.Do(func() {
		if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
			initErr = fmt.Errorf("proc: PR_SET_CHILD_SUBREAPER: %w", err)
			return
		}
		devnull, initErr = os.OpenFile(os.DevNull, os.O_RDWR, 0)
		if initErr == nil {
			go reap()
		}
	})
	return initErr
}

// Start starts a process in a new process group.
func Start(s Spec) (*Proc, error) {
	if err := Init(); err != nil {
		return nil, err
	}
	env := s.Env
	if env == nil {
		env = os.Environ()
	}
	files := []uintptr{fd(s.Stdin), fd(s.Stdout), fd(s.Stderr)}
	mu.Lock()
	defer mu.Unlock()
	if stopping {
		return nil, ErrStopping
	}
	pid, err := syscall.ForkExec(s.Argv[0], s.Argv, &syscall.ProcAttr{
		Dir: s.Dir, Env: env, Files: files,
		Sys: &syscall.SysProcAttr{Setpgid: true},
	})
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", s.Argv[0], err)
	}
	p := &Proc{Pid: pid, done: make(chan struct{})}
	waiters[pid] = p
	select {
	case kick <- struct{}{}:
	default:
	}
	return p, nil
}

func fd(f *os.File) uintptr {
	if f == nil {
		return devnull.Fd()
	}
	return f.Fd()
}

// reap is the only caller of wait4 in the process.
func reap() {
	for {
		var ws unix.WaitStatus
		var ru unix.Rusage
		pid, err := unix.Wait4(-1, &ws, 0, &ru)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.ECHILD:
			<-kick
			continue
		case err != nil:
			time.Sleep(10 * time.Millisecond)
			continue
		}
		mu.Lock()
		p := waiters[pid]
		delete(waiters, pid)
		mu.Unlock()
		if p != nil {
			p.res = Result{Status: ws, Rusage: ru}
			close(p.done)
		}
	}
}

// Wait waits for the process to end.
func (p *Proc) Wait() Result {
	<-p.done
	return p.res
}

// WaitTimeout waits at most d; ok is false on timeout.
func (p *Proc) WaitTimeout(d time.Duration) (Result, bool) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return p.res, true
	case <-t.C:
		return Result{}, false
	}
}

// Exited reports whether the process has been reaped.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill sends SIGKILL to the process and its process group.
func (p *Proc) Kill() {
	unix.Kill(-p.Pid, unix.SIGKILL) //nolint:errcheck // may be gone
	unix.Kill(p.Pid, unix.SIGKILL)  //nolint:errcheck
}

// Run starts a process and waits at most timeout for it; on timeout it is
// killed and an error returned.
func Run(s Spec, timeout time.Duration) (Result, error) {
	p, err := Start(s)
	if err != nil {
		return Result{}, err
	}
	res, ok := p.WaitTimeout(timeout)
	if !ok {
		p.Kill()
		p.Wait()
		return Result{}, fmt.Errorf("%s: no exit within %v", s.Argv[0], timeout)
	}
	return res, nil
}

// Output runs a process with its stdout (and stderr) collected.
func Output(s Spec, timeout time.Duration) ([]byte, Result, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, Result{}, err
	}
	s.Stdout = w
	if s.Stderr == nil {
		s.Stderr = w
	}
	p, err := Start(s)
	w.Close()
	if err != nil {
		r.Close()
		return nil, Result{}, err
	}
	out, _ := io.ReadAll(r) // ends when every holder of w has closed it
	r.Close()
	res, ok := p.WaitTimeout(timeout)
	if !ok {
		p.Kill()
		p.Wait()
		return out, Result{}, fmt.Errorf("%s: no exit within %v", s.Argv[0], timeout)
	}
	return out, res, nil
}

// KillUnder kills, with SIGKILL, every process whose working directory or
// command line lies under root, repeating until none is left or d has
// passed (a scanner killed mid-scan may have forked one more supervisor).
// It returns the pids still alive.
func KillUnder(root string, d time.Duration) []int {
	return killLoop(func() []int { return procfs.Under(root) }, d)
}

// Stop forbids new starts and kills every descendant of this process and
// every process under root (when root is not empty). It returns the pids
// still alive after d.
func Stop(root string, d time.Duration) []int {
	mu.Lock()
	stopping = true
	mu.Unlock()
	return killLoop(func() []int {
		pids := procfs.LiveDescendants(os.Getpid())
		if root != "" {
			pids = append(pids, procfs.Under(root)...)
		}
		return pids
	}, d)
}

func killLoop(list func() []int, d time.Duration) []int {
	deadline := time.Now().Add(d)
	for {
		pids := list()
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return pids
		}
		for _, pid := range pids {
			unix.Kill(pid, unix.SIGKILL) //nolint:errcheck // may be gone
		}
		time.Sleep(5 * time.Millisecond)
	}
}
