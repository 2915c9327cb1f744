package superviseproc

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ReexecVar marks a supervise that has re-executed itself; its value lists,
// comma-separated, the variables it added to its own environment, which the
// service does not get.
const ReexecVar = "DAEMONTOOLS_SUPERVISE_REEXEC"

// tuning is the runtime setting supervise wants from the start of the
// process, when the environment does not already choose: one P (setting it
// later with runtime.GOMAXPROCS costs a thread and ~170 KB), and no GC
// triggered by heap growth or by the 2-minute timer (a first GC costs
// ~300 KB); supervise runs one itself when its starts have left gcBudget
// bytes of garbage. The memory limit
// is a safety net, and keeps the heap goal finite: with GOGC=off alone the
// goal is infinite, and after a GC the runtime then asks for transparent huge
// pages for its heap metadata, which khugepaged turns into megabytes.
var tuning = []string{"GOMAXPROCS=1", "GOGC=off", "GOMEMLIMIT=64MiB"}

// prepare readies the process. On first entry it marks every inherited
// descriptor from 3 up close-on-exec, resets the signal mask and every
// ignored signal, and re-executes itself with the tuning above, so that
// the runtime starts lean and the service starts with an empty signal mask
// and default dispositions (Go's ForkExec gives a child the mask the process
// started with and keeps SIGHUP/SIGINT ignored if they were). After the
// re-exec it returns the environment for the service: its own minus what
// it added. If the re-exec fails, supervise carries on as it is.
func prepare(argv []string) (childEnv []string) {
	env := os.Environ()
	closeInherited()
	if added, ok := lookup(env, ReexecVar); ok {
		drop := []string{ReexecVar}
		if added != "" {
			drop = append(drop, strings.Split(added, ",")...)
		}
		fixName()
		return without(env, drop)
	}
	next := make([]string, len(env), len(env)+len(tuning)+1)
	copy(next, env)
	var added []string
	for _, kv := range tuning {
		name := kv[:strings.IndexByte(kv, '=')]
		if _, ok := lookup(env, name); !ok {
			next = append(next, kv)
			added = append(added, name)
		}
	}
	next = append(next, ReexecVar+"="+strings.Join(added, ","))
	runtime.LockOSThread()
	resetSignals()
	syscall.Exec(selfPath(), argv, next) //nolint:errcheck // on failure carry on
	runtime.UnlockOSThread()
	runtime.GOMAXPROCS(1)
	return env
}

// selfPath names this program's file for the re-exec. The kernel names a
// process after the file it executes, and ps, pgrep and killall go by that
// name: executing /proc/self/exe would turn "supervise" into "exe". So the
// link's target is executed; /proc/self/exe only if the file was replaced
// or removed since (an upgrade in place), and then the name is set back.
func selfPath() string {
	p, err := os.Readlink("/proc/self/exe")
	if err != nil || strings.HasSuffix(p, " (deleted)") {
		return "/proc/self/exe"
	}
	return p
}

// fixName gives back the process name "exe" that an exec of /proc/self/exe
// left (see selfPath).
func fixName() {
	comm := "/proc/self/task/" + strconv.Itoa(os.Getpid()) + "/comm"
	if b, err := os.ReadFile(comm); err == nil && string(b) == "exe\n" {
		os.WriteFile(comm, []byte("supervise"), 0) //nolint:errcheck // cosmetic
	}
}

// closeInherited marks descriptors 3 and up close-on-exec, so that the
// service gets only 0, 1 and 2.
func closeInherited() {
	if unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC) == nil {
		return
	}
	var lim unix.Rlimit
	n := uint64(1024)
	if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil && lim.Cur < 1<<16 {
		n = lim.Cur
	}
	for fd := 3; fd < int(n); fd++ {
		unix.FcntlInt(uintptr(fd), unix.F_SETFD, unix.FD_CLOEXEC) //nolint:errcheck // most are not open
	}
}

// kernelSigaction is the kernel's struct sigaction; only the handler is
// read or set, so the field order after it does not matter.
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

const sigIgn = 1 // SIG_IGN; SIG_DFL is 0

// resetSignals empties this thread's signal mask (exec keeps it) and sets
// every ignored signal back to its default.
func resetSignals() {
	var empty unix.Sigset_t
	unix.PthreadSigmask(unix.SIG_SETMASK, &empty, nil) //nolint:errcheck
	for sig := 1; sig <= 64; sig++ {
		if sig == int(unix.SIGKILL) || sig == int(unix.SIGSTOP) {
			continue
		}
		var old kernelSigaction
		_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), 0, uintptr(unsafe.Pointer(&old)), 8, 0, 0)
		if e != 0 || old.handler != sigIgn {
			continue
		}
		setDefault(sig)
	}
}

// defaultSignals gives back their default action to the signals Go's
// runtime catches and then ignores (USR1, USR2, ALRM, PIPE, real-time...)
// or turns into a stack dump (QUIT): 0.76's supervise catches only SIGCHLD,
// so any of these ends it, leaving the service running. Signals the runtime
// needs (SIGURG for preemption, SIGCHLD, the synchronous ones) are kept.
func defaultSignals() {
	for _, sig := range []unix.Signal{unix.SIGHUP, unix.SIGINT, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2,
		unix.SIGPIPE, unix.SIGALRM, unix.SIGTERM, unix.SIGXCPU, unix.SIGXFSZ, unix.SIGVTALRM, unix.SIGIO, unix.SIGPWR} {
		setDefault(int(sig))
	}
	for sig := 35; sig <= 64; sig++ {
		setDefault(sig)
	}
}

func setDefault(sig int) {
	dfl := kernelSigaction{}
	unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0) //nolint:errcheck
}

// lookup returns the value of the first entry of env named name.
func lookup(env []string, name string) (string, bool) {
	for _, kv := range env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

// without returns env minus the entries named in names.
func without(env, names []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		keep := true
		for _, n := range names {
			if len(kv) > len(n) && kv[len(n)] == '=' && kv[:len(n)] == n {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, kv)
		}
	}
	return out
}
