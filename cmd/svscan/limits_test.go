package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// fileLimits returns the soft and hard RLIMIT_NOFILE of pid.
func fileLimits(t *testing.T, pid int) (soft, hard uint64) {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/limits")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "Max open files") {
			f := strings.Fields(l[len("Max open files"):])
			soft, _ = strconv.ParseUint(f[0], 10, 64)
			hard, _ = strconv.ParseUint(f[1], 10, 64)
			return soft, hard
		}
	}
	t.Fatalf("no Max open files in /proc/%d/limits", pid)
	return 0, 0
}

// TestFileLimitRaised: svscan runs with its soft descriptor limit raised
// to the hard limit (the Go runtime's hard-1); the services get the soft
// limit svscan was given. (A Go supervise raises its own limit too, and
// gives its service the original one back.)
func TestFileLimitRaised(t *testing.T) {
	t.Parallel()
	path := scantest.Need(t, "supervise")
	dir := t.TempDir()
	a := scantest.Service(t, dir, "a", scantest.Sleeper)
	p := testutil.Start(t, testutil.Options{Env: scantest.Env(t, fast)},
		"/bin/sh", "-c", `ulimit -S -n 256 && PATH=`+path+` exec "$0" "$1"`, testutil.Bin(t, "svscan"), dir)
	t.Cleanup(func() { scantest.StopTree(t, p.Pid(), a) })
	scantest.WaitUp(t, 10*time.Second, a)
	soft, hard := fileLimits(t, p.Pid())
	if hard <= 256 {
		t.Skipf("requires a hard descriptor limit above 256 (have %d)", hard)
	}
	if soft < hard-1 {
		t.Errorf("svscan soft limit %d, hard %d: not raised", soft, hard)
	}
	if s, _ := fileLimits(t, scantest.Pid(a)); s != 256 {
		t.Errorf("the service's soft limit is %d, want the original 256", s)
	}
}

// TestDescriptorExhaustion: with a hard limit of 24 descriptors, svscan
// makes log pipes while it can keep a margin, then warns for the rest at
// every scan, and still reads the directory and starts services without
// a log (0.76 could use up its last descriptor and then never read the
// directory again).
func TestDescriptorExhaustion(t *testing.T) {
	t.Parallel()
	path := scantest.Need(t, "supervise")
	dir := t.TempDir()
	var dirs []string
	for i := 0; i < 12; i++ {
		s := scantest.Service(t, dir, fmt.Sprintf("s%02d", i), scantest.Sleeper)
		scantest.Service(t, s, "log", scantest.Sleeper)
		dirs = append(dirs, s, s+"/log")
	}
	z := scantest.Service(t, dir, "z", scantest.Sleeper)
	dirs = append(dirs, z)
	p := testutil.Start(t, testutil.Options{Env: scantest.Env(t, fast)},
		"/bin/sh", "-c", `ulimit -n 24 && PATH=`+path+` exec "$0" "$1"`, testutil.Bin(t, "svscan"), dir)
	t.Cleanup(func() { scantest.StopTree(t, p.Pid(), append(dirs, filepath.Join(dir, "late"))...) })
	scantest.WaitUp(t, 10*time.Second, z)

	warning := func(i int) string {
		return fmt.Sprintf("svscan: warning: unable to create pipe for s%02d: process cannot open more files", i)
	}
	refused := func() []string {
		var out []string
		for i := 0; i < 12; i++ {
			if testutil.CountLine(p.Stderr.String(), warning(i)) > 0 {
				out = append(out, warning(i))
			}
		}
		return out
	}
	testutil.Eventually(t, 10*time.Second, "pipe warnings", func() (bool, string) {
		return len(refused()) > 0, p.Stderr.String()
	})
	n := len(refused())
	if n == 12 {
		t.Fatalf("no logged service could start")
	}
	// The services that got a pipe run with their logs (the directory is
	// read in no particular order).
	for i := 0; i < 12; i++ {
		if s := filepath.Join(dir, fmt.Sprintf("s%02d", i)); testutil.CountLine(p.Stderr.String(), warning(i)) == 0 {
			scantest.WaitUp(t, 10*time.Second, s, s+"/log")
		}
	}
	t.Logf("%d of 12 logged services refused a pipe under a limit of 24 descriptors", n)
	// Scanning goes on: the warnings repeat, and a new service starts.
	late := scantest.Service(t, dir, "late", scantest.Sleeper)
	scantest.WaitUp(t, 10*time.Second, late)
	testutil.Eventually(t, 10*time.Second, "warnings again", func() (bool, string) {
		return testutil.CountLine(p.Stderr.String(), refused()[0]) >= 3, p.Stderr.String()
	})
	if strings.Contains(p.Stderr.String(), "unable to read directory") || strings.Contains(p.Stderr.String(), "unable to start") {
		t.Errorf("svscan ran out of descriptors for its own work:\n%s", p.Stderr.String())
	}
}
