package chain_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

const setlockUsage = "setlock: usage: setlock [ -nNxX ] file program [ arg ... ]\n"

func TestSetlockUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{nil, setlockUsage},
		{[]string{"whatever"}, setlockUsage},
		{[]string{"-n"}, setlockUsage},
		{[]string{"-nx", "--", "file"}, setlockUsage},
		{[]string{"-z", "f", "true"}, "setlock: illegal option -- z\n" + setlockUsage},
		{[]string{"-nz", "f", "true"}, "setlock: illegal option -- z\n" + setlockUsage},
	} {
		expect(t, testutil.Options{Dir: t.TempDir()}, "", c.stderr, 100, "setlock", c.args...)
		same(t, testutil.Options{Dir: t.TempDir()}, "setlock", c.args...)
	}
}

// The setlock part of upstream rts.tests (§22.1), each program calling itself.
func TestSetlockRTS(t *testing.T) {
	t.Parallel()
	for _, prog := range []string{testutil.Bin(t, "setlock"), testutil.Debian(t, "setlock")} {
		o := testutil.Options{Dir: t.TempDir()}
		for _, c := range []struct {
			args           []string
			stdout, stderr string
			code           int
		}{
			{[]string{"nonexistent/lock", "echo", "wrong"}, "", "setlock: fatal: unable to open nonexistent/lock: file does not exist\n", 111},
			{[]string{"-x", "nonexistent/lock", "echo", "wrong"}, "", "", 0},
			{[]string{"lock", "sh", "-c", prog + " -n lock echo one && echo two"}, "", "setlock: fatal: unable to lock lock: temporary failure\n", 111},
			{[]string{"lock", "sh", "-c", prog + " -nx lock echo one && echo two"}, "two\n", "", 0},
			// Last of each pair wins.
			{[]string{"-xX", "nonexistent/lock", "true"}, "", "setlock: fatal: unable to open nonexistent/lock: file does not exist\n", 111},
			{[]string{"-Xx", "nonexistent/lock", "true"}, "", "", 0},
			{[]string{"lock", "sh", "-c", prog + " -Nn lock echo one; echo $?"}, "111\n", "setlock: fatal: unable to lock lock: temporary failure\n", 0},
			// -x does not hide an exec failure.
			{[]string{"-x", "lock", "./nonexistent"}, "", "setlock: fatal: unable to run ./nonexistent: file does not exist\n", 111},
		} {
			r := testutil.Run(t, o, prog, c.args...)
			if r.Stdout != c.stdout || r.Stderr != c.stderr || r.Code != c.code {
				t.Errorf("%s %q: %+v, want stdout %q stderr %q code %d", prog, c.args, r, c.stdout, c.stderr, c.code)
			}
		}
	}
}

// The child inherits the locked descriptor as fd 3, opened for append
// (non-blocking, write-only) and not truncated; the file is created 0600.
func TestSetlockChildDescriptor(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "old"), "content", 0o644)
	o := testutil.Options{Dir: dir}
	expect(t, o, filepath.Join(dir, "new")+"\n", "", 0, "setlock", "new", "readlink", "/proc/self/fd/3")
	same(t, o, "setlock", "new", "readlink", "/proc/self/fd/3")
	if st, err := os.Stat(filepath.Join(dir, "new")); err != nil || st.Mode().Perm() != 0o600&^umask() {
		t.Errorf("lock file: %v %v, want mode %v", st.Mode(), err, 0o600&^umask())
	}
	// O_WRONLY|O_APPEND|O_NONBLOCK (and O_LARGEFILE, which the kernel adds).
	expect(t, o, "flags:\t0106001\n", "", 0, "setlock", "old", "grep", "^flags", "/proc/self/fdinfo/3")
	same(t, o, "setlock", "old", "grep", "^flags", "/proc/self/fdinfo/3")
	same(t, o, "setlock", "old", "sh", "-c", "echo more >&3")
	if b, _ := os.ReadFile(filepath.Join(dir, "old")); string(b) != "contentmore\nmore\n" {
		t.Errorf("lock file holds %q: truncated or not appended", b)
	}
}

// lockWaiter reports whether /proc/locks shows pid waiting for a flock.
func lockWaiter(pid int) (bool, string) {
	b, _ := os.ReadFile("/proc/locks")
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 5 && f[1] == "->" && f[2] == "FLOCK" && f[5] == strconv.Itoa(pid) {
			return true, ""
		}
	}
	return false, "no waiting FLOCK for pid " + strconv.Itoa(pid)
}

// While one setlock's program runs, the lock is held: -n fails at once
// with "temporary failure" (for 0.76's setlock too: both use flock), and a
// waiting setlock gets the lock when the holder exits.
func TestSetlockHeld(t *testing.T) {
	t.Parallel()
	lock := filepath.Join(t.TempDir(), "lock")
	r, w := pipe(t)
	holder := testutil.Start(t, testutil.Options{StdinF: r}, testutil.Bin(t, "setlock"), lock, "sh", "-c", "echo locked; exec cat")
	testutil.Eventually(t, 10*time.Second, "holder to lock", func() (bool, string) {
		return holder.Stdout.String() == "locked\n", holder.Stderr.String()
	})
	for _, prog := range []string{testutil.Bin(t, "setlock"), testutil.Debian(t, "setlock")} {
		res := testutil.Run(t, testutil.Options{}, prog, "-n", lock, "echo", "wrong")
		if res.Code != 111 || res.Stderr != "setlock: fatal: unable to lock "+lock+": temporary failure\n" {
			t.Errorf("%s -n on a held lock: %+v", prog, res)
		}
		if res := testutil.Run(t, testutil.Options{}, prog, "-nx", lock, "echo", "wrong"); res != (testutil.Result{}) {
			t.Errorf("%s -nx on a held lock: %+v", prog, res)
		}
	}
	waiter := testutil.Start(t, testutil.Options{}, testutil.Bin(t, "setlock"), "-nN", lock, "echo", "got it")
	testutil.Eventually(t, 10*time.Second, "second setlock to wait for the lock", func() (bool, string) { return lockWaiter(waiter.Pid()) })
	if waiter.Exited() {
		t.Fatalf("waiter did not wait: %q %q", waiter.Stdout.String(), waiter.Stderr.String())
	}
	w.Close()
	if code := holder.Wait(t, 10*time.Second); code != 0 {
		t.Errorf("holder exited %d", code)
	}
	if code := waiter.Wait(t, 10*time.Second); code != 0 || waiter.Stdout.String() != "got it\n" {
		t.Errorf("waiter: %d %q %q", code, waiter.Stdout.String(), waiter.Stderr.String())
	}
}

// The lock lasts as long as any process holds the descriptor, here a
// background process left by the program.
func TestSetlockInheritedByGrandchild(t *testing.T) {
	t.Parallel()
	lock := filepath.Join(t.TempDir(), "lock")
	r, w := pipe(t)
	res := testutil.Run(t, testutil.Options{StdinF: r}, testutil.Bin(t, "setlock"), lock, "sh", "-c", "exec 4<&0; cat <&4 >/dev/null 2>&1 & exit 0")
	if res.Code != 0 {
		t.Fatalf("setlock: %+v", res)
	}
	r.Close()
	expect(t, testutil.Options{}, "", "setlock: fatal: unable to lock "+lock+": temporary failure\n", 111, "setlock", "-n", lock, "true")
	w.Close() // the background cat sees end of file and exits
	testutil.Eventually(t, 10*time.Second, "lock to be released", func() (bool, string) {
		res := testutil.Run(t, testutil.Options{}, testutil.Bin(t, "setlock"), "-n", lock, "echo", "free")
		return res.Stdout == "free\n", res.Stderr
	})
}

func TestSetlockExecFailures(t *testing.T) {
	t.Parallel()
	execFailures(t, "setlock", nil, "lock")
}
