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
	if err := os.Mkdir(filepath.Join(dir, "e"), 0o755); err != nil {
		t.Fatal(err)
	}
	progs := [][]string{{"envdir", "e"}, {"envuidgid", "root"}, {"softlimit", "-c", "0"}, {"setlock", "lock"}, {"fghack"}, {"pgrphack"}}
	if os.Geteuid() == 0 {
		progs = append(progs, []string{"setuidgid", "root"})
	}
	for _, p := range progs {
		args := append([]string{"-c", `ulimit -Sn 256 && exec "$@"`, "sh", testutil.Bin(t, p[0])}, p[1:]...)
		args = append(args, "sh", "-c", "ulimit -Sn")
		r := testutil.Run(t, testutil.Options{Dir: dir}, "/bin/sh", args...)
		if r.Stdout != "256\n" || r.Code != 0 {
			t.Errorf("%s: child's soft limit %q (%+v), want 256", p[0], r.Stdout, r)
		}
	}
}
