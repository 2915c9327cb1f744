package chain_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
			// Only the classic signals 1-31 are compared: real-time signals 32 and 33 are glibc's and the Go
			// runtime's own, and some parents (GNU make) ignore them.
			want := "SigBlk:\t00000000\nSigIgn:\t00000000\n"
			if traps != "" {
				want = "SigBlk:\t00000000\nSigIgn:\t00000003\n"
			}
			if r := testutil.Run(t, testutil.Options{Dir: dir}, "/bin/sh", args...); classicSignals(r.Stdout) != want {
				t.Errorf("%s with %q: child has %q, want %q", p[0], traps, r.Stdout, want)
			}
		}
	}
}

// classicSignals keeps signals 1-31 of each "SigXxx:\t<hex mask>" line,
// rendered as 8 hex digits.
func classicSignals(s string) string {
	var out []byte
	for _, line := range strings.SplitAfter(s, "\n") {
		name, mask, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		v, err := strconv.ParseUint(mask, 16, 64)
		if !ok || err != nil {
			out = append(out, line...)
			continue
		}
		out = fmt.Appendf(out, "%s\t%08x\n", name, v&0x7fffffff)
	}
	return string(out)
}
