// The integration tests of the seven chain-loading programs live in this
// package (one file each), so that the commands are built once for all.
// The helpers below run our binary and Debian's on the same input and
// compare what they print and how they exit.
package chain_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/account"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// same runs Debian's and our program name with args under o and fails the
// test unless stdout, stderr and exit code are the same. It returns our
// result. It skips the test when Debian's daemontools is not installed.
func same(t *testing.T, o testutil.Options, name string, args ...string) testutil.Result {
	t.Helper()
	theirs := testutil.Run(t, o, testutil.Debian(t, name), args...)
	ours := testutil.Run(t, o, testutil.Bin(t, name), args...)
	if ours != theirs {
		t.Errorf("%s %q differs from 0.76:\n ours:   code %d, stdout %q, stderr %q\n theirs: code %d, stdout %q, stderr %q",
			name, args, ours.Code, ours.Stdout, ours.Stderr, theirs.Code, theirs.Stdout, theirs.Stderr)
	}
	return ours
}

// expect runs our program name with args under o and fails the test unless
// it prints exactly stdout and stderr and exits with code.
func expect(t *testing.T, o testutil.Options, stdout, stderr string, code int, name string, args ...string) {
	t.Helper()
	r := testutil.Run(t, o, testutil.Bin(t, name), args...)
	if r.Stdout != stdout || r.Stderr != stderr || r.Code != code {
		t.Errorf("%s %q:\n got  code %d, stdout %q, stderr %q\n want code %d, stdout %q, stderr %q",
			name, args, r.Code, r.Stdout, r.Stderr, code, stdout, stderr)
	}
}

// execFailures checks that program name, run as name before... CHILD,
// reports every kind of exec failure of CHILD with the message and exit
// code of 0.76 ("PROG: fatal: unable to run CHILD: ERR", 111), both on
// its own and against Debian's binary. before may name files in dir, a
// temporary directory that is the working directory.
func execFailures(t *testing.T, prog string, setup func(dir string), before ...string) {
	t.Helper()
	dir := t.TempDir()
	if setup != nil {
		setup(dir)
	}
	testutil.WriteFile(t, filepath.Join(dir, "noexec"), "#!/bin/sh\necho no\n", 0o644)
	testutil.WriteFile(t, filepath.Join(dir, "script"), "echo no shebang\n", 0o755)
	testutil.WriteFile(t, filepath.Join(dir, "path1/cmd"), "#!/bin/sh\necho no\n", 0o644)
	if err := os.MkdirAll(filepath.Join(dir, "subdir"), 0o755); err != nil {
		t.Fatal(err)
	}
	o := testutil.Options{Dir: dir, Env: []string{"PATH=" + dir + "/path1:" + dir + "/missing"}}
	cases := []struct{ child, text string }{
		{"nonexistent", "file does not exist"},
		{"./nonexistent", "file does not exist"},
		{"./noexec", "access denied"},
		{"./script", "exec format error"}, // no /bin/sh fallback
		{"./subdir", "access denied"},
		{"cmd", "access denied"}, // remembered along the PATH search
		{"./noexec/x", "not a directory"},
	}
	args := func(child string) []string { return append(append([]string(nil), before...), child, "arg") }
	for _, c := range cases {
		expect(t, o, "", prog+": fatal: unable to run "+c.child+": "+c.text+"\n", 111, prog, args(c.child)...)
	}
	for _, c := range cases {
		same(t, o, prog, args(c.child)...)
	}
}

// worldBin returns a copy of our program name that every user can run.
func worldBin(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(testutil.Bin(t, name))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(testutil.PublicDir(t), name)
	testutil.WriteFile(t, path, string(b), 0o755)
	return path
}

// umask returns the process's file-creation mask.
func umask() os.FileMode {
	m := unix.Umask(0)
	unix.Umask(m)
	return os.FileMode(m)
}

// pipe returns a pipe whose ends are closed at cleanup (closing one earlier
// is fine). A program given r as stdin runs until w is closed.
func pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// accountIDs returns the uid and gid of an account of /etc/passwd, or skips.
func accountIDs(t *testing.T, name string) (uid, gid string) {
	t.Helper()
	u, err := account.Lookup(account.PasswdFile, name)
	if err != nil {
		t.Skipf("requires account %s in %s", name, account.PasswdFile)
	}
	return strconv.FormatUint(uint64(u.UID), 10), strconv.FormatUint(uint64(u.GID), 10)
}
