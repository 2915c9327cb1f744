package chain_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestEnvdirUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"whatever"}} {
		// 111, not 100, as in 0.76.
		expect(t, testutil.Options{}, "", "envdir: usage: envdir dir child\n", 111, "envdir", args...)
		same(t, testutil.Options{}, "envdir", args...)
	}
}

// The envdir part of upstream rts.tests (§22.1).
func TestEnvdirRTS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := testutil.Options{Dir: dir, Env: []string{"PATH=/usr/bin:/bin"}}
	symlink(t, "env1", filepath.Join(dir, "env1"))
	expect(t, o, "", "envdir: fatal: unable to switch to directory env1: symbolic link loop\n", 111, "envdir", "env1", "echo", "yes")
	same(t, o, "envdir", "env1", "echo", "yes")
	os.Remove(filepath.Join(dir, "env1"))
	mkdir(t, filepath.Join(dir, "env1"))
	symlink(t, "Message", filepath.Join(dir, "env1/Message"))
	expect(t, o, "", "envdir: fatal: unable to read env1/Message: symbolic link loop\n", 111, "envdir", "env1", "echo", "yes")
	same(t, o, "envdir", "env1", "echo", "yes")
	os.Remove(filepath.Join(dir, "env1/Message"))
	testutil.WriteFile(t, filepath.Join(dir, "env1/Message"), "This is a test. This is only a test.\n", 0o644)
	expect(t, o, "This is a test. This is only a test.\n", "", 0, "envdir", "env1", "sh", "-c", "echo $Message")
	same(t, o, "envdir", "env1", "sh", "-c", "echo $Message")
	testutil.WriteFile(t, filepath.Join(dir, "env2/Message"), "", 0o644)
	expect(t, o, "unset\n", "", 0, "envdir", "env1", "envdir", "env2", "sh", "-c", "echo ${Message-unset}")
	same(t, o, "envdir", "env1", "envdir", "env2", "sh", "-c", "echo ${Message-unset}")
}

// An edit removes the variable's first entry, moving the last entry into
// its place, and appends the new value.
func TestEnvdirEditOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testutil.WriteFile(t, filepath.Join(dir, "X"), "new \t\nignored\n", 0o644)
	o := testutil.Options{Dir: dir, Env: []string{"A=1", "X=old", "B=2", "Y=y"}}
	expect(t, o, "A=1\nY=y\nB=2\nX=new\n", "", 0, "envdir", ".", "/usr/bin/env")
	same(t, o, "envdir", ".", "/usr/bin/env")
	// A 0-byte file removes; a file holding just a newline sets an empty value.
	testutil.WriteFile(t, filepath.Join(dir, "X"), "", 0o644)
	expect(t, o, "A=1\nY=y\nB=2\n", "", 0, "envdir", ".", "/usr/bin/env")
	testutil.WriteFile(t, filepath.Join(dir, "X"), "\n", 0o644)
	expect(t, o, "A=1\nY=y\nB=2\nX=\n", "", 0, "envdir", ".", "/usr/bin/env")
	// A file name with '=': the variable is named up to the '='.
	os.Remove(filepath.Join(dir, "X"))
	testutil.WriteFile(t, filepath.Join(dir, "A=B"), "x", 0o644)
	expect(t, o, "Y=y\nX=old\nB=2\nA=B=x\n", "", 0, "envdir", ".", "/usr/bin/env")
	same(t, o, "envdir", ".", "/usr/bin/env")
}

// Many kinds of entries in one directory, read in readdir order, with the
// stale-value bug of 0.76 for dangling symlinks: our environment must be
// byte for byte that of 0.76.
func TestEnvdirSameAs076(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := filepath.Join(dir, "env")
	files := map[string]string{
		"PLAIN": "value\n", "SPACES": "  v  \t \nsecond", "CR": "x\r\n", "NUL": "a\x00b\x00 ", "NULEND": "a \x00",
		"EMPTY": "", "NEWLINE": "\n", "BLANKS": " \t ", "NOEOL": "tail", "A=B": "eq", "C=D": "", "REPLACED": "r",
		"REMOVED": "", ".hidden": "h", "..dots": "d", "LONG": string(make([]byte, 3000)) + "x",
	}
	// Files and dangling symlinks alternate in creation order, so that
	// dangling ones follow files in readdir order whether it is creation
	// order, its reverse (tmpfs) or a hash.
	names := slices.Sorted(maps.Keys(files))
	for i, name := range names {
		testutil.WriteFile(t, filepath.Join(d, name), files[name], 0o644)
		symlink(t, "missing", filepath.Join(d, "DANGLE"+strconv.Itoa(i)))
	}
	symlink(t, "PLAIN", filepath.Join(d, "LINK"))
	o := testutil.Options{Dir: dir, Env: []string{"REMOVED=1", "PATH=/usr/bin:/bin", "REPLACED=0", "A=orig", "Z=last", "DANGLE0=set"}}
	r := same(t, o, "envdir", "env", "/usr/bin/env")
	if r.Code != 0 || !strings.Contains(r.Stdout, "\nDANGLE") {
		t.Errorf("envdir: %+v; want some DANGLE variable set from a stale value", r)
	}
}

func TestEnvdirErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := testutil.Options{Dir: dir}
	testutil.WriteFile(t, filepath.Join(dir, "file"), "x", 0o644)
	mkdir(t, filepath.Join(dir, "withsub/sub"))
	mkdir(t, filepath.Join(dir, "withfifo"))
	if err := unix.Mkfifo(filepath.Join(dir, "withfifo/F"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dir, msg string }{
		{"missing", "unable to switch to directory missing: file does not exist"},
		{"file", "unable to switch to directory file: not a directory"},
		{"withsub", "unable to read withsub/sub: is a directory"},
	} {
		expect(t, o, "", "envdir: fatal: "+c.msg+"\n", 111, "envdir", c.dir, "true")
		same(t, o, "envdir", c.dir, "true")
	}
	// A FIFO without a writer reads as empty: the variable is removed.
	o.Env = []string{"F=1"}
	expect(t, o, "", "", 0, "envdir", "withfifo", "/usr/bin/env")
	same(t, o, "envdir", "withfifo", "/usr/bin/env")
}

// Permission errors, seen by an unprivileged user.
func TestEnvdirPermissions(t *testing.T) {
	t.Parallel()
	testutil.RequireRoot(t)
	dir := testutil.PublicDir(t)
	testutil.WriteFile(t, filepath.Join(dir, "unreadable/X"), "1", 0o000)
	mkdir(t, filepath.Join(dir, "noread"))
	mkdir(t, filepath.Join(dir, "nosearch"))
	os.Chmod(filepath.Join(dir, "noread"), 0o311)   //nolint:errcheck
	os.Chmod(filepath.Join(dir, "nosearch"), 0o644) //nolint:errcheck
	ours, setuidgid := worldBin(t, "envdir"), testutil.Debian(t, "setuidgid")
	for _, c := range []struct{ dir, msg string }{
		{"unreadable", "unable to read unreadable/X: access denied"},
		{"noread", "unable to read directory noread: access denied"},
		{"nosearch", "unable to switch to directory nosearch: access denied"},
	} {
		for _, prog := range []string{ours, testutil.Debian(t, "envdir")} {
			r := testutil.Run(t, testutil.Options{Dir: dir}, setuidgid, "nobody", prog, c.dir, "true")
			if r.Code != 111 || r.Stderr != "envdir: fatal: "+c.msg+"\n" {
				t.Errorf("%s %s: %+v, want %q", prog, c.dir, r, c.msg)
			}
		}
	}
}

func TestEnvdirExecFailures(t *testing.T) {
	t.Parallel()
	execFailures(t, "envdir", func(dir string) { mkdir(t, filepath.Join(dir, "e")) }, "e")
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}
