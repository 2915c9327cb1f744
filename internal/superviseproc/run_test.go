package superviseproc

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/svdir"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestRunUsage(t *testing.T) {
	testutil.ExpectRun(t, testutil.Result{Stderr: "supervise: usage: supervise dir\n", Code: 100}, Run, nil, "supervise")
	testutil.ExpectRun(t, testutil.Result{Stderr: "supervise: usage: supervise dir\n", Code: 100}, Run, nil, "supervise", "a", "b")
}

// Run in this process: it supervises a service until svc -dx, then
// returns. (The marker variable tells Run it starts clean: no re-exec of
// the test binary. The test binary becomes a subreaper with a SIGCHLD
// handler: this package has no other test that starts processes.)
func TestRunSupervises(t *testing.T) {
	t.Setenv(lean.Var, "")
	dir := filepath.Join(t.TempDir(), "s")
	testutil.WriteFile(t, filepath.Join(dir, "run"), "#!/bin/sh\necho started > started\nexec sleep 1000\n", 0o755)
	missing := testutil.CallRun(t, Run, nil, "supervise", filepath.Join(dir, "nope"))
	if missing.Code != 111 || !strings.HasPrefix(missing.Stderr, "supervise: fatal: unable to chdir to ") {
		t.Errorf("missing dir: %+v", missing)
	}
	done := make(chan testutil.Result, 1)
	go func() { done <- testutil.CallRun(t, Run, nil, "supervise", dir) }()
	testutil.Eventually(t, 10*time.Second, "service started", func() (bool, string) {
		_, err := os.Stat(filepath.Join(dir, "started"))
		return err == nil, "not yet"
	})
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	// The 1 s pause after the start holds the bytes back; they wait.
	if err := svdir.Send(fd, []byte("dx")); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-done:
		if r.Code != 0 || r.Stderr != "" {
			t.Errorf("%+v", r)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("supervise did not return after svc -dx")
	}
}
