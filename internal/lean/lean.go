// Package lean starts the suite's long-running Go programs (supervise,
// svscan) with a lean runtime and a clean signal state, and hands that state
// on to the programs they start.
//
// A Go program reads GOMAXPROCS, GOGC and GOMEMLIMIT once, when the runtime
// starts; setting them later costs a thread and memory. And Go's
// syscall.ForkExec gives a child the signal mask the process started with
// and keeps SIGHUP and SIGINT ignored if they were. So Prepare re-executes
// the program once, with the tuning variables added to its environment, an
// empty signal mask and no ignored signal, and the marker variable Var
// naming what it added. After the re-exec Prepare returns the environment
// without them, for the program's children.
//
// A parent in that clean state (svscan) can spare its children (supervise)
// their own re-exec: ChildEnv adds the child's tuning and the marker, and the
// child's Prepare then returns at once.
package lean

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Var marks a process that starts clean: an empty signal mask, no ignored
// signal, its tuning in the environment. Its value lists, comma-separated,
// the variables added for the runtime, which the program's own children do
// not get.
const Var = "DAEMONTOOLS_REEXEC"

// Supervise is the runtime setting supervise wants from the start of the
// process, when the environment does not already choose: one P (setting it
// later with runtime.GOMAXPROCS costs a thread and ~170 KB), and no GC
// triggered by heap growth or by the 2-minute timer (a first GC costs
// ~300 KB); supervise runs one itself when its starts have left gcBudget
// bytes of garbage. The memory limit
// is a safety net, and keeps the heap goal finite: with GOGC=off alone the
// goal is infinite, and after a GC the runtime then asks for transparent huge
// pages for its heap metadata, which khugepaged turns into megabytes.
var Supervise = []string{"GOMAXPROCS=1", "GOGC=off", "GOMEMLIMIT=64MiB"}

// Prepare readies the process named name (as ps shows it) with tuning, a
// list of NAME=value runtime settings, each added unless the environment
// already sets it. It returns the environment for the program's children:
// its own minus what was added, and clean reports whether the process now
// starts clean (false if the re-exec failed and the program carries on as
// it is).
func Prepare(argv []string, name string, tuning []string) (env []string, clean bool) {
	env = os.Environ()
	if added, ok := Lookup(env, Var); ok {
		fixName(name)
		return Without(env, dropped(added)), true
	}
	next := ChildEnv(env, tuning)
	runtime.LockOSThread()
	resetSignals()
	syscall.Exec(selfPath(), argv, next) //nolint:errcheck // on failure carry on
	runtime.UnlockOSThread()
	return env, false
}

// ChildEnv returns env for a child started clean by a clean parent: with
// each setting of tuning that env lacks, and Var naming those.
func ChildEnv(env, tuning []string) []string {
	next := make([]string, len(env), len(env)+len(tuning)+1)
	copy(next, env)
	var added []string
	for _, kv := range tuning {
		name := kv[:strings.IndexByte(kv, '=')]
		if _, ok := Lookup(env, name); !ok {
			next = append(next, kv)
			added = append(added, name)
		}
	}
	return append(next, Var+"="+strings.Join(added, ","))
}

func dropped(added string) []string {
	drop := []string{Var}
	if added != "" {
		drop = append(drop, strings.Split(added, ",")...)
	}
	return drop
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

// fixName gives back the process name that an exec of /proc/self/exe
// replaced with "exe" (see selfPath).
func fixName(name string) {
	comm := "/proc/self/task/" + strconv.Itoa(os.Getpid()) + "/comm"
	if b, err := os.ReadFile(comm); err == nil && string(b) == "exe\n" {
		os.WriteFile(comm, []byte(name), 0) //nolint:errcheck // cosmetic
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
		SetDefault(sig)
	}
}

// SetDefault gives sig its default action, whatever Go's runtime installed.
func SetDefault(sig int) {
	dfl := kernelSigaction{}
	unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0) //nolint:errcheck
}

// Lookup returns the value of the first entry of env named name.
func Lookup(env []string, name string) (string, bool) {
	for _, kv := range env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

// Without returns env minus the entries named in names.
func Without(env, names []string) []string {
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
