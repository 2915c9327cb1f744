package svdir

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// dirfd opens a fresh temporary directory.
func dirfd(t *testing.T) (string, int) {
	dir := t.TempDir()
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return dir, fd
}

// fifos makes supervise/control and supervise/ok; with reader set it holds
// them open for reading, like a running supervise, and returns control's fd.
func fifos(t *testing.T, dir string, reader bool) int {
	os.MkdirAll(filepath.Join(dir, "supervise"), 0o700)
	ctl := -1
	for _, n := range []string{layout.Control, layout.OK} {
		if err := unix.Mkfifo(filepath.Join(dir, n), 0o600); err != nil {
			t.Fatal(err)
		}
		if !reader {
			continue
		}
		fd, err := unix.Open(filepath.Join(dir, n), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		if n == layout.Control {
			ctl = fd
		}
	}
	return ctl
}

func TestSend(t *testing.T) {
	t.Parallel()
	dir, at := dirfd(t)
	var ce *ControlError
	if err := Send(at, []byte("u")); !errors.As(err, &ce) || ce.Write || ce.Err != unix.ENOENT {
		t.Errorf("no FIFO: %v", err)
	}
	ctl := fifos(t, dir, true)
	if err := Send(at, []byte("dx")); err != nil {
		t.Fatal(err)
	}
	if err := Send(at, nil); err != nil {
		t.Fatal(err)
	}
	var b [8]byte
	if n, _ := unix.Read(ctl, b[:]); string(b[:n]) != "dx" {
		t.Errorf("read %q", b[:n])
	}
	dead, at2 := dirfd(t)
	fifos(t, dead, false)
	if err := Send(at2, []byte("u")); !errors.As(err, &ce) || ce.Err != ErrNotRunning || ce.Error() != "supervise not running" {
		t.Errorf("dead: %v", err)
	}
}

func TestRunning(t *testing.T) {
	t.Parallel()
	dir, at := dirfd(t)
	if ok, err := Running(at); ok || err != nil {
		t.Errorf("never ran: %v %v", ok, err)
	}
	fifos(t, dir, false)
	if ok, err := Running(at); ok || err != nil {
		t.Errorf("dead: %v %v", ok, err)
	}
	live, at2 := dirfd(t)
	fifos(t, live, true)
	if ok, err := Running(at2); !ok || err != nil {
		t.Errorf("running: %v %v", ok, err)
	}
}

func TestLister(t *testing.T) {
	t.Parallel()
	dir, at := dirfd(t)
	fifos(t, dir, true)
	var l Lister
	line := func() string { return string(l.AppendLine(nil, at, 1000)) }
	if got := line(); got != "unable to open supervise/status: file does not exist" {
		t.Error(got)
	}
	st := status.Status{When: tai64.FromUnix(990, 0), Pid: 42, Paused: true, Want: 'd'}
	b := st.Encode()
	path := filepath.Join(dir, layout.Status)
	os.WriteFile(path, b[:], 0o644)
	if got := line(); got != "up (pid 42) 10 seconds, paused, want down" {
		t.Error(got)
	}
	os.WriteFile(path, b[:17], 0o644)
	if got := line(); got != "unable to read supervise/status: bad format" {
		t.Error(got)
	}
	// A read error repeats the last record read, as 0.76 does.
	os.Remove(path)
	os.Mkdir(path, 0o755)
	if got := line(); got != "up (pid 42) 10 seconds, paused, want down" {
		t.Error(got)
	}
	os.Symlink("down", filepath.Join(dir, "down"))
	if got := line(); got != "unable to stat down: symbolic link loop" {
		t.Error(got)
	}
}
