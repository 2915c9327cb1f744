package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/tai64"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// bins are our svstat and Debian's.
func bins(t *testing.T) []string {
	return []string{testutil.Bin(t, "svstat"), testutil.Debian(t, "svstat")}
}

// compare runs both svstats in dir with args and fails unless they agree
// (pids and seconds normalised); it returns our result.
func compare(t *testing.T, dir string, args ...string) testutil.Result {
	t.Helper()
	var res [2]testutil.Result
	for i, bin := range bins(t) {
		res[i] = testutil.Run(t, testutil.Options{Dir: dir}, bin, args...)
		res[i].Stdout = svtest.Normalize(res[i].Stdout)
	}
	if res[0] != res[1] {
		t.Errorf("ours %+v\ndebian %+v", res[0], res[1])
	}
	return res[0]
}

// Every combination of pid, paused flag, want byte and down file gives the
// same line as Debian's svstat, and the one the spec lists.
func TestEverySuffix(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	future := tai64.FromUnix(time.Now().Unix()+3600, 0) // "0 seconds", exactly
	var args []string
	var want []string
	for _, pid := range []uint32{0, 4294967295} {
		for _, paused := range []bool{false, true} {
			for _, w := range []byte{'u', 'd', 0, 'x'} {
				for _, down := range []bool{false, true} {
					name := "s" + strconv.Itoa(len(args))
					dir := filepath.Join(parent, name)
					svtest.NewFake(t, dir)
					st := status.Status{When: future, Pid: pid, Paused: paused, Want: w}
					svtest.WriteStatus(t, dir, st)
					if down {
						testutil.WriteFile(t, filepath.Join(dir, "down"), "", 0o644)
					}
					args = append(args, name)
					want = append(want, name+": "+string(st.AppendLine(nil, time.Now().Unix(), !down)))
				}
			}
		}
	}
	compare(t, parent, args...)
	r := testutil.Run(t, testutil.Options{Dir: parent}, testutil.Bin(t, "svstat"), args...)
	if r.Code != 0 || r.Stderr != "" || r.Stdout != strings.Join(want, "\n")+"\n" {
		t.Errorf("got %+v\nwant %q", r, strings.Join(want, "\n"))
	}
	for _, l := range []string{
		"s27: up (pid 4294967295) 0 seconds, normally down, paused, want down",
		"s3: down 0 seconds",
		"s0: down 0 seconds, normally up, want up",
		"s22: up (pid 4294967295) 0 seconds",
	} {
		if !strings.Contains(r.Stdout, l+"\n") {
			t.Errorf("no line %q", l)
		}
	}
}

// Seconds count from the record's time, whole seconds.
func TestSeconds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	svtest.NewFake(t, dir)
	svtest.WriteStatus(t, dir, status.Status{When: tai64.FromUnix(time.Now().Unix()-1000, 999999999), Pid: 7, Want: 'u'})
	r := testutil.Run(t, testutil.Options{Dir: dir}, testutil.Bin(t, "svstat"), ".")
	if r.Stdout != ".: up (pid 7) 1000 seconds\n" && r.Stdout != ".: up (pid 7) 1001 seconds\n" {
		t.Errorf("%+v", r)
	}
}

// Every failure is a line on stdout, in Debian's words, and svstat exits 0.
func TestFailures(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	mk := func(name string) string {
		dir := filepath.Join(parent, name)
		os.MkdirAll(dir, 0o755)
		return dir
	}
	mk("never")
	svtest.MakeFIFOs(t, mk("dead"))
	svtest.NewFake(t, mk("nostatus"))
	short := mk("short")
	svtest.NewFake(t, short)
	testutil.WriteFile(t, filepath.Join(short, "supervise/status"), "0123456789abcdef\x00", 0o644)
	long := mk("long")
	svtest.NewFake(t, long)
	b := status.Status{When: tai64.FromUnix(time.Now().Unix()+60, 0), Pid: 12, Want: 'd'}.Encode()
	testutil.WriteFile(t, filepath.Join(long, "supervise/status"), string(b[:])+"extra", 0o644)
	isdir := mk("statusdir")
	svtest.NewFake(t, isdir)
	os.Mkdir(filepath.Join(isdir, "supervise/status"), 0o755)
	loop := mk("downloop")
	os.Symlink("down", filepath.Join(loop, "down"))
	dangling := mk("downdangling")
	svtest.NewFake(t, dangling)
	svtest.WriteStatus(t, dangling, status.Status{When: tai64.FromUnix(time.Now().Unix()+60, 0), Want: 'd'})
	os.Symlink("nowhere", filepath.Join(dangling, "down"))
	okdir := mk("okdir")
	os.MkdirAll(filepath.Join(okdir, "supervise/ok"), 0o755)
	testutil.WriteFile(t, filepath.Join(parent, "file"), "", 0o644)

	args := []string{"never", "dead", "nostatus", "short", "long", "statusdir", "downloop", "downdangling",
		"okdir", "file", "nonexistent", "-x", "-", "--", ""}
	r := compare(t, parent, args...)
	want := strings.Join([]string{
		"never: unable to open supervise/ok: file does not exist",
		"dead: supervise not running",
		"nostatus: unable to open supervise/status: file does not exist",
		"short: unable to read supervise/status: bad format",
		"long: up (pid N) N seconds, want down",
		"statusdir: up (pid N) N seconds, want down", // 0.76 misses the read error: long's record again
		"downloop: unable to stat down: symbolic link loop",
		"downdangling: down N seconds, normally up",
		"okdir: unable to open supervise/ok: is a directory",
		"file: unable to chdir: not a directory",
		"nonexistent: unable to chdir: file does not exist",
		"-x: unable to chdir: file does not exist",
		"-: unable to chdir: file does not exist",
		"--: unable to chdir: file does not exist",
		": unable to chdir: file does not exist",
	}, "\n") + "\n"
	if r.Stdout != want || r.Code != 0 || r.Stderr != "" {
		t.Errorf("got %q\nwant %q", r.Stdout, want)
	}
	if r := compare(t, parent); r != (testutil.Result{}) {
		t.Errorf("no arguments: %+v", r)
	}
	// First in line, a read error prints an all-zero record.
	r = compare(t, parent, "statusdir")
	if !strings.HasPrefix(r.Stdout, "statusdir: down N seconds, normally up\n") {
		t.Errorf("%q", r.Stdout)
	}
}

// As an ordinary user: an unreadable status file, an ok FIFO it may not
// open, a working directory it cannot open.
func TestPermissions(t *testing.T) {
	t.Parallel()
	testutil.RequireRoot(t)
	parent := testutil.PublicDir(t)
	st := filepath.Join(parent, "unreadable")
	os.Mkdir(st, 0o755)
	svtest.NewFake(t, st)
	os.Chmod(filepath.Join(st, "supervise"), 0o755)
	os.Chmod(filepath.Join(st, "supervise/ok"), 0o666)
	svtest.WriteStatus(t, st, status.Status{Pid: 1})
	os.Chmod(filepath.Join(st, "supervise/status"), 0o600)
	priv := filepath.Join(parent, "private")
	os.Mkdir(priv, 0o755)
	svtest.NewFake(t, priv)
	locked := filepath.Join(parent, "locked")
	os.Mkdir(locked, 0o711)

	var res [2]testutil.Result
	for i, bin := range bins(t) {
		res[i] = svtest.RunAs(t, 65534, 65534, parent, bin, "unreadable", "private", "locked")
	}
	if res[0] != res[1] {
		t.Errorf("ours %+v\ndebian %+v", res[0], res[1])
	}
	if !strings.HasPrefix(res[0].Stdout, "unreadable: unable to open supervise/status: access denied\nprivate: unable to open supervise/ok: access denied\n") {
		t.Errorf("%q", res[0].Stdout)
	}
	for i, bin := range bins(t) {
		res[i] = svtest.RunAs(t, 65534, 65534, locked, bin)
	}
	if res[0] != res[1] || res[0].Stderr != "svstat: fatal: unable to open current directory: access denied\n" || res[0].Code != 111 {
		t.Errorf("ours %+v\ndebian %+v", res[0], res[1])
	}
}
