package chain_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

// The Go runtime raises its own soft limit on open files at start-up; every
// program must hand its child the limit it was given, as 0.76 does.
func TestChildKeepsDescriptorLimit(t *testing.T) {
	t.Parallel()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Max < 300 {
		t.Skipf("requires a hard limit on open files above 300 (%d, %v)", lim.Max, err)
	}
	dir := t.TempDir()
	for _, p := range chainPrograms(t, dir) {
		args := append([]string{"-c", `ulimit -Sn 256 && exec "$@"`, "sh", testutil.Bin(t, p[0])}, p[1:]...)
		args = append(args, "sh", "-c", "ulimit -Sn")
		r := testutil.Run(t, testutil.Options{Dir: dir}, "/bin/sh", args...)
		if r.Stdout != "256\n" || r.Code != 0 {
			t.Errorf("%s: child's soft limit %q (%+v), want 256", p[0], r.Stdout, r)
		}
	}
}

// chainPrograms lists each program with the arguments that make it run a
// child, in dir (which gets the empty directory e for envdir).
func chainPrograms(t testing.TB, dir string) [][]string {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "e"), 0o755); err != nil {
		t.Fatal(err)
	}
	progs := [][]string{{"envdir", "e"}, {"envuidgid", "root"}, {"softlimit", "-c", "0"}, {"setlock", "lock"}, {"fghack"}, {"pgrphack"}}
	if os.Geteuid() == 0 {
		progs = append(progs, []string{"setuidgid", "root"})
	}
	return progs
}

// The child starts with an empty signal mask, and SIGHUP and SIGINT stay
// ignored if they were, as with 0.76. (Other ignored signals do not: see
// the deviations in docs/chaintools.md.)
func TestChildSignals(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, p := range chainPrograms(t, dir) {
		for _, traps := range []string{"", "trap '' HUP INT;"} {
			args := append([]string{"-c", traps + ` exec "$@"`, "sh", testutil.Bin(t, p[0])}, p[1:]...)
			args = append(args, "grep", "-E", "^Sig(Blk|Ign)", "/proc/self/status")
			want := "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"
			if traps != "" {
				want = "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000003\n"
			}
			if r := testutil.Run(t, testutil.Options{Dir: dir}, "/bin/sh", args...); r.Stdout != want {
				t.Errorf("%s with %q: child has %q, want %q", p[0], traps, r.Stdout, want)
			}
		}
	}
}
