package proc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
)

func sh(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("requires sh")
	}
	return p
}

func TestRunExitStatusAndRusage(t *testing.T) {
	res, err := Run(Spec{Argv: []string{sh(t), "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exit 3"}}, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Status.Exited() || res.Status.ExitStatus() != 3 || res.Ok() {
		t.Errorf("status %v, want exit 3", res.Status)
	}
	if res.CPU() <= 0 {
		t.Errorf("CPU %v after a busy loop", res.CPU())
	}
}

func TestOutputAndDir(t *testing.T) {
	dir := t.TempDir()
	out, res, err := Output(Spec{Argv: []string{sh(t), "-c", "pwd; echo oops >&2"}, Dir: dir}, 10*time.Second)
	if err != nil || !res.Ok() {
		t.Fatal(err, res.Status)
	}
	if got := string(out); got != dir+"\noops\n" {
		t.Errorf("output %q", got)
	}
}

func TestRunTimeoutKillsGroup(t *testing.T) {
	dir := t.TempDir()
	start := time.Now()
	_, err := Run(Spec{Argv: []string{sh(t), "-c", "sleep 60 & sleep 60"}, Dir: dir}, 200*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no exit") {
		t.Fatalf("err %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Error("Run did not return soon after its timeout")
	}
	// Both sleeps were in the shell's process group.
	if left := KillUnder(dir, 5*time.Second); len(left) != 0 {
		t.Errorf("left: %v", left)
	}
}

func TestKillUnderReachesOrphans(t *testing.T) {
	dir := t.TempDir()
	// The shell exits at once; its sleep, in a new group and re-parented
	// to this process (a subreaper), must still be found by its cwd.
	_, err := Run(Spec{Argv: []string{sh(t), "-c", "setsid sleep 60 & echo started > f"}, Dir: dir}, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(procfs.Under(dir)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the orphan never appeared")
		}
		time.Sleep(5 * time.Millisecond)
	}
	orphans := procfs.Under(dir)
	for _, pid := range orphans {
		if st, _ := procfs.ReadStat(pid); st.PPid != os.Getpid() {
			t.Errorf("orphan %d has parent %d, want this process %d", pid, st.PPid, os.Getpid())
		}
	}
	if left := KillUnder(dir, 5*time.Second); len(left) != 0 {
		t.Fatalf("left: %v", left)
	}
	if _, err := os.Stat(filepath.Join(dir, "f")); err != nil {
		t.Error(err)
	}
}

func TestStopForbidsStarts(t *testing.T) {
	dir := t.TempDir()
	t.Cleanup(func() { // Stop is final; let the other tests start processes again
		mu.Lock()
		stopping = false
		mu.Unlock()
	})
	p, err := Start(Spec{Argv: []string{sh(t), "-c", "sleep 60"}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if left := Stop(dir, 5*time.Second); len(left) != 0 {
		t.Fatalf("left: %v", left)
	}
	if _, ok := p.WaitTimeout(5 * time.Second); !ok {
		t.Error("the killed process was not reaped")
	}
	if _, err := Start(Spec{Argv: []string{sh(t)}}); err != ErrStopping {
		t.Errorf("Start after Stop: %v", err)
	}
}
