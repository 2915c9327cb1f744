package testutil

import (
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// badParentVar, in the environment of the test binary, makes Main turn the
// process into a parent in a bad state that executes the program the value
// names (its arguments after it, one a line).
const badParentVar = "TESTUTIL_BAD_PARENT"

// StartFromBadParent starts prog with args as a careless parent would
// leave it: with SIGHUP and SIGINT ignored and SIGUSR1 blocked, which a
// program inherits across exec. The test binary is started again (Main
// recognises it), puts itself in that state and executes prog in place,
// so the returned process is prog, with the environment of o.Env. The
// package must call Main from TestMain.
func StartFromBadParent(t testing.TB, o Options, prog string, args ...string) *Proc {
	t.Helper()
	argv := append([]string{prog}, args...)
	for _, a := range argv {
		if strings.Contains(a, "\n") {
			t.Fatalf("StartFromBadParent: argument %q holds a newline", a)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	o.Env = append(env[:len(env):len(env)], badParentVar+"="+strings.Join(argv, "\n"))
	return Start(t, o, self)
}

// becomeBadParent ignores SIGHUP and SIGINT, blocks SIGUSR1 and executes
// the program named by spec (StartFromBadParent's badParentVar), without
// that variable. It returns only if the exec fails.
func becomeBadParent(spec string) int {
	argv := strings.Split(spec, "\n")
	// The signal mask is per thread: block on the one that executes.
	runtime.LockOSThread()
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT)
	var set unix.Sigset_t
	set.Val[0] = 1 << (uint(syscall.SIGUSR1) - 1)
	if err := unix.PthreadSigmask(unix.SIG_BLOCK, &set, nil); err != nil {
		fmt.Fprintln(os.Stderr, "testutil: blocking SIGUSR1:", err)
		return 127
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, badParentVar+"=") {
			env = append(env, kv)
		}
	}
	err := syscall.Exec(argv[0], argv, env)
	fmt.Fprintf(os.Stderr, "testutil: executing %s: %v\n", argv[0], err)
	return 127
}
