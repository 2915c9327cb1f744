package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/lean"
	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// TestServicesStartClean: svscan started by a parent that ignores HUP and
// INT and blocks USR1 re-executes itself clean and starts supervise clean
// (supervise then skips its own re-exec); the service sees neither the
// runtime settings nor the marker, and no ignored signal. Every process
// keeps its name.
func TestServicesStartClean(t *testing.T) {
	t.Parallel()
	if filepath.Base(scantest.Tool(t, "supervise")) != "supervise" || !strings.HasPrefix(scantest.Tool(t, "supervise"), testutil.BinDir(t)) {
		t.Skip("requires our supervise in DAEMONTOOLS_BIN")
	}
	dir := filepath.Join(t.TempDir(), "service")
	s := scantest.Service(t, dir, "s",
		"#!/bin/sh\nenv > env.out\ngrep -E '^Sig(Blk|Ign):' /proc/self/status > sig.out\nexec sleep 3600\n")
	env := append(scantest.Env(t, fast), "KEEP=1")
	p := testutil.StartFromBadParent(t, testutil.Options{Env: env}, testutil.Bin(t, "svscan"), dir)
	t.Cleanup(func() { scantest.StopTree(t, p.Pid(), s) })
	scantest.WaitUp(t, 10*time.Second, s)
	testutil.Eventually(t, 10*time.Second, "sig.out", func() (bool, string) {
		return scantest.Contains(filepath.Join(s, "sig.out"), "\n"), "not yet"
	})

	got, _ := os.ReadFile(filepath.Join(s, "env.out"))
	if !strings.Contains(string(got), "KEEP=1\n") {
		t.Errorf("service lost KEEP: %q", got)
	}
	for _, v := range []string{"GOMAXPROCS=", "GOGC=", "GOMEMLIMIT=", lean.Var} {
		if strings.Contains(string(got), v) {
			t.Errorf("service got %s: %q", v, got)
		}
	}
	if sig, _ := os.ReadFile(filepath.Join(s, "sig.out")); string(sig) != "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n" {
		t.Errorf("service started with blocked or ignored signals: %q", sig)
	}

	if comm := readComm(p.Pid()); comm != "svscan" {
		t.Errorf("svscan's name is %q", comm)
	}
	sup := scantest.Supervisors(p.Pid())
	if len(sup) != 1 {
		t.Fatalf("supervisors: %v", sup)
	}
	if comm := readComm(sup[0].Pid); comm != "supervise" {
		t.Errorf("supervise's name is %q", comm)
	}
	// svscan handed supervise its settings: supervise's environment (as it
	// was at its last exec) holds the marker naming all three, once.
	environ, _ := os.ReadFile("/proc/" + strconv.Itoa(sup[0].Pid) + "/environ")
	marks := 0
	for _, kv := range strings.Split(string(environ), "\x00") {
		if strings.HasPrefix(kv, lean.Var+"=") {
			marks++
			if kv != lean.Var+"=GOMAXPROCS,GOGC,GOMEMLIMIT" {
				t.Errorf("supervise's marker: %q", kv)
			}
		}
	}
	if marks != 1 {
		t.Errorf("supervise's environment has %d markers: %q", marks, environ)
	}
}

func readComm(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
	return strings.TrimSpace(string(b))
}

// TestOtherSuperviseGetsPlainEnv: when PATH finds another supervise
// (Debian's) before ours, svscan hands it its environment unchanged, so
// that the services get no runtime settings meant for our supervise.
func TestOtherSuperviseGetsPlainEnv(t *testing.T) {
	t.Parallel()
	testutil.Debian(t, "supervise")
	dir := filepath.Join(t.TempDir(), "service")
	s := scantest.Service(t, dir, "s", "#!/bin/sh\nenv > env.out\nexec sleep 3600\n")
	env := []string{"PATH=" + testutil.DebianDir + ":" + testutil.BinDir(t) + ":/bin", "SVSCAN_TEST_INTERVAL=" + fast, "KEEP=1"}
	start(t, dir, env, s)
	scantest.WaitUp(t, 10*time.Second, s)
	testutil.Eventually(t, 10*time.Second, "env.out", func() (bool, string) {
		return scantest.Contains(filepath.Join(s, "env.out"), "KEEP=1\n"), "not yet"
	})
	got, _ := os.ReadFile(filepath.Join(s, "env.out"))
	for _, v := range []string{"GOMAXPROCS=", "GOGC=", "GOMEMLIMIT=", lean.Var} {
		if strings.Contains(string(got), v) {
			t.Errorf("service under Debian's supervise got %s: %q", v, got)
		}
	}
}
