package diag

import (
	"bytes"
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
		{l.Failure(ExitTemporary, "unable to chdir to x", Err(unix.ENOENT)), ExitTemporary, "svc: fatal: unable to chdir to x: file does not exist\n"},
		{unix.EACCES, ExitTemporary, "svc: fatal: access denied\n"},
	} {
		var b bytes.Buffer
		if got := Code("svc", &b, c.err); got != c.code || b.String() != c.out {
			t.Errorf("%v: %d %q, want %d %q", c.err, got, b.String(), c.code, c.out)
		}
	}
	if Exit(7).Error() != "exit status 7" {
		t.Errorf("Exit(7).Error() = %q", Exit(7).Error())
	}
}
