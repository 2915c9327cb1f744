package diag

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLines(t *testing.T) {
	var b bytes.Buffer
	l := Logger{Prog: "setlock", W: &b}
	_, err := os.Open("nonexistent/lock")
	l.Fatal("unable to open nonexistent/lock", Err(err))
	l.Warn("unable to chdir to x", Err(err))
	l.Usage("setlock [ -nNxX ] file program [ arg ... ]")
	want := "setlock: fatal: unable to open nonexistent/lock: file does not exist\n" +
		"setlock: warning: unable to chdir to x: file does not exist\n" +
		"setlock: usage: setlock [ -nNxX ] file program [ arg ... ]\n"
	if b.String() != want {
		t.Errorf("got %q", b.String())
	}
}

func TestCode(t *testing.T) {
	l := Logger{Prog: "svc", W: nil}
	for _, c := range []struct {
		err  error
		code int
		out  string
	}{
		{nil, 0, ""},
		{Exit(3), 3, ""},
		{l.UsageError("svc dir"), ExitUsage, "svc: usage: svc dir\n"},
		{l.UsageExit(ExitTemporary, "svc dir"), ExitTemporary, "svc: usage: svc dir\n"},
		{l.Failure(ExitTemporary, "unable to chdir to x", Err(unix.ENOENT)), ExitTemporary, "svc: fatal: unable to chdir to x: file does not exist\n"},
		{unix.EACCES, ExitTemporary, "svc: fatal: access denied\n"},
	} {
		var b bytes.Buffer
		if got := Code("svc", &b, c.err); got != c.code || b.String() != c.out {
			t.Errorf("%v: %d %q, want %d %q", c.err, got, b.String(), c.code, c.out)
		}
	}
	if got := Code("svc", nil, fmt.Errorf("wrapped: %w", Exit(9))); got != 9 {
		t.Errorf("Code of a wrapped ExitError = %d, want 9", got)
	}
	if Exit(7).Error() != "exit status 7" {
		t.Errorf("Exit(7).Error() = %q", Exit(7).Error())
	}
}

func TestFd(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	raw := int(r.Fd()) // File.Fd makes it blocking: set it back to non-blocking
	if err := unix.SetNonblock(raw, true); err != nil {
		t.Fatal(err)
	}
	if fd, ok := Fd(r); !ok || fd != raw {
		t.Errorf("Fd(pipe) = %d, %v; want %d", fd, ok, raw)
	}
	if fl, err := unix.FcntlInt(uintptr(raw), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK == 0 {
		t.Errorf("Fd changed the blocking mode: flags %#x, %v", fl, err)
	}
	if _, ok := Fd(bytes.NewReader(nil)); ok {
		t.Error("Fd of a bytes.Reader succeeded")
	}
	r.Close()
	if _, ok := Fd(r); ok {
		t.Error("Fd of a closed file succeeded")
	}
}

// softlimit returns an ExitError after lowering its memory limits: Code
// must not allocate for one without a message.
func TestCodeAllocatesNothing(t *testing.T) {
	err := Exit(ExitTemporary)
	if n := testing.AllocsPerRun(100, func() { Code("softlimit", io.Discard, err) }); n != 0 {
		t.Errorf("Code allocates %v times", n)
	}
}
