package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// tree builds a scanned directory full of awkward entries and returns the
// directories that get a supervise.
func badTree(t *testing.T, dir string) []string {
	os.Symlink("/nonexistent", filepath.Join(dir, "dangling"))
	os.WriteFile(filepath.Join(dir, "plain"), []byte("x"), 0o644)
	scantest.Service(t, dir, ".hidden", scantest.Sleeper)
	c := scantest.Service(t, dir, "c", scantest.Sleeper)
	os.WriteFile(filepath.Join(c, "log"), []byte("not a directory"), 0o644) // a log of any type counts
	d := scantest.Service(t, dir, "d", scantest.Sleeper)
	os.Symlink("log", filepath.Join(d, "log")) // stat fails: symbolic link loop
	e := scantest.Service(t, dir, "e", scantest.Sleeper)
	return []string{c, e}
}

// svscanLines returns the distinct lines of text starting with "svscan:".
func svscanLines(text string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "svscan:") && !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	sort.Strings(out)
	return out
}

// runBoth runs our svscan and Debian's over two copies of a tree made by
// build, each with PATH set by path, until Debian's has scanned twice
// (marker printed twice), and returns the stderr of each. Our svscan scans
// every 100 ms, Debian's every 5 s.
func runBoth(t *testing.T, marker string, path func(ours bool) string, build func(t *testing.T, dir string) []string) (ours, theirs string) {
	t.Helper()
	debian := testutil.Debian(t, "svscan")
	var procs [2]*testutil.Proc
	for i, bin := range []string{testutil.Bin(t, "svscan"), debian} {
		dir := t.TempDir()
		dirs := build(t, dir)
		env := []string{"PATH=" + path(i == 0), "SVSCAN_TEST_INTERVAL=" + fast}
		p := testutil.Start(t, testutil.Options{Env: env}, bin, dir)
		t.Cleanup(func() { scantest.StopTree(t, p.Pid(), dirs...) })
		procs[i] = p
	}
	for _, p := range procs {
		testutil.Eventually(t, 15*time.Second, "two scans", func() (bool, string) {
			return testutil.CountLine(p.Stderr.String(), marker) >= 2, p.Stderr.String()
		})
	}
	return procs[0].Stderr.String(), procs[1].Stderr.String()
}

// TestBadInputSameAsDebian: dangling symlink, plain file, dot entry, a log
// that is a file, a log that cannot be stat'ed: the same warnings as 0.76,
// every scan, and scanning goes on.
func TestBadInputSameAsDebian(t *testing.T) {
	t.Parallel()
	scantest.Need(t, "supervise")
	dangling := "svscan: warning: unable to stat dangling: file does not exist"
	ours, theirs := runBoth(t, dangling, func(ours bool) string {
		if ours {
			return scantest.Path(t)
		}
		return "/usr/bin:/bin"
	}, badTree)
	want := []string{"svscan: warning: unable to stat d/log: symbolic link loop", dangling}
	if got := svscanLines(ours); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("our messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := svscanLines(theirs); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Debian's messages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The file named log is taken as a log: its supervise fails and is started again.
	if n := strings.Count(ours, "unable to chdir to log"); n < 2 {
		t.Errorf("supervise log in c failed %d times, want a failure every scan:\n%s", n, ours)
	}
}

// TestSuperviseNotFound: PATH without supervise, or with a supervise that
// cannot be executed: djb's search and error precedence, every scan.
func TestSuperviseNotFound(t *testing.T) {
	t.Parallel()
	noexec := t.TempDir()
	os.WriteFile(filepath.Join(noexec, "supervise"), []byte("#!/bin/sh\n"), 0o644)
	for _, c := range []struct {
		path, err string
	}{
		{"/nonexistent:" + t.TempDir(), "file does not exist"},
		{"/nonexistent:" + noexec + ":/nonexistent2", "access denied"},
	} {
		t.Run(c.err, func(t *testing.T) {
			t.Parallel()
			superviseNotFound(t, c.path, c.err)
		})
	}
}

// superviseNotFound runs ours and Debian's with PATH path and expects
// every start to fail with errText.
func superviseNotFound(t *testing.T, path, errText string) {
	marker := "svscan: warning: unable to start supervise a: " + errText
	ours, theirs := runBoth(t, marker, func(bool) string { return path }, func(t *testing.T, dir string) []string {
		scantest.Service(t, dir, "a", scantest.Sleeper)
		b := scantest.Service(t, dir, "b", scantest.Sleeper)
		scantest.Service(t, b, "log", scantest.Sleeper)
		return nil
	})
	want := []string{marker,
		"svscan: warning: unable to start supervise b/log: " + errText,
		"svscan: warning: unable to start supervise b: " + errText}
	for who, text := range map[string]string{"ours": ours, "Debian's": theirs} {
		if got := svscanLines(text); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s with PATH=%s:\n%s\nwant:\n%s", who, path, text, strings.Join(want, "\n"))
		}
	}
}

// TestScanDirVanishes: the scanned directory removed under svscan. 0.76
// reads the dead directory as empty and says nothing; we say so at every
// scan, and keep scanning (and the supervise processes keep running).
func TestScanDirVanishes(t *testing.T) {
	t.Parallel()
	scantest.Need(t, "supervise")
	root := t.TempDir()
	dir := filepath.Join(root, "service")
	a := scantest.Service(t, dir, "a", scantest.Sleeper)
	p := quick(t, dir)
	scantest.WaitUp(t, 10*time.Second, a)
	sup := scantest.Supervisors(p.Pid())
	svc := scantest.Pid(a)
	// Move the service out first so that svc can still reach it.
	moved := filepath.Join(root, "a")
	if err := os.Rename(a, moved); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { scantest.Stop(t, nil, moved) })
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	line := "svscan: warning: unable to read directory: file does not exist"
	testutil.Eventually(t, 10*time.Second, "repeated warning", func() (bool, string) {
		return testutil.CountLine(p.Stderr.String(), line) >= 3, p.Stderr.String()
	})
	if !procfs.Alive(p.Pid()) || !procfs.Alive(sup[0].Pid) || !procfs.Alive(svc) {
		t.Errorf("svscan, supervise and service must keep running")
	}
}

// TestUnreadableDir: a scanned directory svscan may enter but not read
// (as an unprivileged user): the warning at every scan, and the services
// start once it is readable again.
func TestUnreadableDir(t *testing.T) {
	t.Parallel()
	testutil.RequireRoot(t)
	path := scantest.Need(t, "supervise")
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("requires setpriv (util-linux)")
	}
	root := t.TempDir()
	os.Chmod(root, 0o755)
	os.Chmod(filepath.Dir(root), 0o755) // t.TempDir makes it 0700
	dir := filepath.Join(root, "service")
	a := scantest.Service(t, dir, "a", scantest.Sleeper)
	for _, p := range []string{dir, a, a + "/run"} {
		os.Chown(p, 65534, 65534)
	}
	os.Chmod(dir, 0o311)
	p := testutil.Start(t, testutil.Options{Env: []string{"PATH=" + path, "SVSCAN_TEST_INTERVAL=" + fast}},
		setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", testutil.Bin(t, "svscan"), dir)
	t.Cleanup(func() { scantest.StopTree(t, p.Pid(), a) })
	line := "svscan: warning: unable to read directory: access denied"
	testutil.Eventually(t, 10*time.Second, "repeated warning", func() (bool, string) {
		return testutil.CountLine(p.Stderr.String(), line) >= 2, p.Stderr.String()
	})
	os.Chmod(dir, 0o755)
	scantest.WaitUp(t, 10*time.Second, a)
}
