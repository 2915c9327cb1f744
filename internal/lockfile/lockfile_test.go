package lockfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestOpenAppendLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	if err := os.WriteFile(path, []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	fd, err := OpenAppend(path)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := unix.O_WRONLY | unix.O_APPEND | unix.O_NONBLOCK; flags&want != want {
		t.Errorf("flags %#o lack %#o", flags, want)
	}
	if fdflags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); fdflags&unix.FD_CLOEXEC != 0 {
		t.Error("lock descriptor is close-on-exec")
	}
	if b, _ := os.ReadFile(path); string(b) != "keep" {
		t.Errorf("file truncated to %q", b)
	}
	if err := Lock(fd, false); err != nil {
		t.Fatal(err)
	}
	// A second open file in the same process conflicts: flock, not fcntl.
	fd2, err := OpenAppend(path)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd2)
	if err := Lock(fd2, false); err != unix.EWOULDBLOCK {
		t.Errorf("second lock: %v, want EWOULDBLOCK", err)
	}
	locks, _ := os.ReadFile("/proc/locks")
	if len(locks) > 0 && !strings.Contains(string(locks), "FLOCK") {
		t.Errorf("no FLOCK in /proc/locks:\n%s", locks)
	}
	unix.Close(fd) //nolint:errcheck
	if err := Lock(fd2, true); err != nil {
		t.Errorf("lock after release: %v", err)
	}
}

func TestCreateMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new")
	fd, err := OpenAppend(path)
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(fd) //nolint:errcheck
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	umask := unix.Umask(0)
	unix.Umask(umask)
	if want := os.FileMode(0o600 &^ umask); st.Mode().Perm() != want {
		t.Errorf("mode %v, want %v", st.Mode().Perm(), want)
	}
	if _, err := OpenAppend(filepath.Join(path, "sub")); err != unix.ENOTDIR {
		t.Errorf("open below a file: %v, want ENOTDIR", err)
	}
}
