package svscan

import (
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), LockName)
	fd, err := Lock(path, "DIR/"+LockName, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	// flock locks belong to the open file: a second open conflicts even here.
	_, err = Lock(path, "DIR/"+LockName, -1)
	le, ok := err.(*LockError)
	if !ok || !le.Busy() {
		t.Fatalf("second lock: %v", err)
	}
	want := "unable to acquire DIR/.svscan.lock: temporary failure: another svscan is running"
	if le.Message() != want {
		t.Errorf("message %q, want %q", le.Message(), want)
	}
	// The holder's descriptor, handed down, is adopted.
	got, err := Lock(path, "x", fd)
	if err != nil || got != fd {
		t.Fatalf("inherited lock: fd %d (want %d), %v", got, fd, err)
	}
	if flags, _ := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); flags&unix.FD_CLOEXEC == 0 {
		t.Errorf("adopted descriptor not close-on-exec")
	}
	// A descriptor open on another file is not.
	other, err := unix.Open(t.TempDir(), unix.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(other)
	if _, err := Lock(path, "x", other); err == nil {
		t.Errorf("lock taken although held")
	}
}

func TestLockOpenFailure(t *testing.T) {
	_, err := Lock(filepath.Join(t.TempDir(), "missing", LockName), "M/"+LockName, -1)
	le, ok := err.(*LockError)
	if !ok || le.Busy() || le.Message() != "unable to open M/.svscan.lock: file does not exist" {
		t.Fatalf("got %v", err)
	}
}

func TestScanInterval(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want string
	}{
		{nil, "5s"},
		{[]string{IntervalEnv + "=250ms"}, "250ms"},
		{[]string{IntervalEnv + "=junk"}, "5s"},
		{[]string{IntervalEnv + "=-1s"}, "5s"},
	} {
		if got := ScanInterval(c.env).String(); got != c.want {
			t.Errorf("%v: %s, want %s", c.env, got, c.want)
		}
	}
}
