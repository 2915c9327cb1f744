package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// TestDemo runs `make demo`'s script over a copy of examples/ and presses
// Ctrl-C: hello runs, with its log, and afterwards nothing it started is
// left.
func TestDemo(t *testing.T) {
	t.Parallel()
	scantest.Need(t, "supervise", "multilog", "svc", "svok")
	top, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	if out, err := exec.Command("cp", "-a", filepath.Join(top, "examples"), tmp).CombinedOutput(); err != nil {
		t.Fatalf("copy examples: %v %s", err, out)
	}
	service := filepath.Join(tmp, "examples", "service")
	hello := filepath.Join(service, "hello")
	env := append(os.Environ(), "DEMO_BIN="+testutil.BinDir(t), "DEMO_SERVICE="+service)
	p := testutil.Start(t, testutil.Options{Env: env}, "/bin/sh", filepath.Join(tmp, "examples", "demo.sh"))
	t.Cleanup(func() {
		scantest.StopTree(t, p.Pid(), hello, hello+"/log", filepath.Join(service, "clock"), filepath.Join(service, "clock", "log"))
	})

	scantest.WaitUp(t, 15*time.Second, hello, hello+"/log")
	testutil.Eventually(t, 15*time.Second, "timestamps in junklog.log and in the log", func() (bool, string) {
		return stamps(filepath.Join(hello, "junklog.log")) > 0 &&
			scantest.Contains(filepath.Join(hello, "log", "main", "current"), " Starting hello\n"), "not yet"
	})
	// clock, with its lifecycle files: ready on fd 3 after two ticks.
	clock := filepath.Join(service, "clock")
	testutil.Eventually(t, 15*time.Second, "clock ready", func() (bool, string) {
		s := svstate.Probe(clock)
		return s.Source == svstate.FromState && s.Doc.Ready, s.Doc.State
	})
	if !strings.Contains(p.Stdout.String(), "svc -d "+hello) {
		t.Errorf("the demo does not show what to try:\n%s", p.Stdout.String())
	}
	below := procfs.LiveDescendants(p.Pid())
	// Ctrl-C: SIGINT to the terminal's foreground process group.
	syscall.Kill(-p.Pid(), syscall.SIGINT)
	if code := p.Wait(t, 20*time.Second); code != 0 {
		t.Errorf("demo exit %d after Ctrl-C; stderr %s", code, p.Stderr.String())
	}
	testutil.Eventually(t, 10*time.Second, "everything stopped", func() (bool, string) {
		for _, pid := range below {
			if procfs.Alive(pid) {
				return false, strings.Join(procfs.Cmdline(pid), " ")
			}
		}
		return true, ""
	})
}
