package multilog

import (
	"errors"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/testutil"
	"golang.org/x/sys/unix"
)

// smallTmpfs mounts a tmpfs of size bytes on a temporary directory.
func smallTmpfs(t *testing.T, size string) string {
	t.Helper()
	testutil.RequireRoot(t)
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("requires mounting a tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) }) //nolint:errcheck
	return dir
}

// fill writes a file until the file system is full.
func fill(t *testing.T, name string) {
	t.Helper()
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return
			}
			t.Fatal(err)
		}
	}
}

func TestDiskFull(t *testing.T) {
	t.Parallel()
	mnt := smallTmpfs(t, "512k")
	d := mnt + "/log"
	m := startML(t, "s16777215", d)
	testutil.Eventually(t, 10*time.Second, "current", func() (bool, string) {
		_, err := os.Stat(d + "/current")
		return err == nil, ""
	})
	fill(t, mnt+"/filler")
	input := numbered(4000, 60)             // 240000 bytes
	go func() { m.in.WriteString(input) }() //nolint:errcheck // checked through the log
	want := "multilog: warning: unable to write to " + d + "/current, pausing: out of disk space\n"
	testutil.Eventually(t, 10*time.Second, "out of disk space warning", func() (bool, string) {
		s := m.stderr.String()
		return strings.Contains(s, want) && m.sleeps.Load() >= 2, s
	})
	if err := os.Remove(mnt + "/filler"); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "all lines written", func() (bool, string) {
		data, _ := os.ReadFile(d + "/current")
		return string(data) == input, ""
	})
	if code := m.wait(); code != 0 {
		t.Fatal(code)
	}
	if got := concat(readLogDir(t, d)); got != input {
		t.Errorf("log has %d bytes, want %d", len(got), len(input))
	}
	for _, l := range strings.SplitAfter(m.stderr.String(), "\n") {
		if l != "" && l != want {
			t.Errorf("unexpected stderr line %q", l)
		}
	}
}

func TestDiskFullStatusFile(t *testing.T) {
	t.Parallel()
	mnt := smallTmpfs(t, "64k")
	st := mnt + "/status"
	m := startML(t, "="+st)
	testutil.Eventually(t, 10*time.Second, "status file", func() (bool, string) {
		_, err := os.Stat(st)
		return err == nil, ""
	})
	fill(t, mnt+"/filler")
	m.write("one\ntwo\n")
	want := "multilog: warning: unable to write " + st + ", pausing: out of disk space\n"
	testutil.Eventually(t, 10*time.Second, "out of disk space warning", func() (bool, string) {
		s := m.stderr.String()
		return strings.Contains(s, want), s
	})
	if err := os.Remove(mnt + "/filler"); err != nil {
		t.Fatal(err)
	}
	if code := m.wait(); code != 0 {
		t.Fatal(code)
	}
	if b, _ := os.ReadFile(st); string(b) != "two"+strings.Repeat("\n", 998) {
		t.Errorf("status %q", b)
	}
}
