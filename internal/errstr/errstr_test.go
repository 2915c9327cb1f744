package errstr

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestErrno(t *testing.T) {
	for _, c := range []struct {
		e    unix.Errno
		want string
	}{
		{0, "no error"},
		{unix.ENOENT, "file does not exist"},
		{unix.EACCES, "access denied"},
		{unix.EAGAIN, "temporary failure"},
		{unix.ELOOP, "symbolic link loop"},
		{unix.EISDIR, "is a directory"},
		{unix.ENOEXEC, "exec format error"},
		{unix.ENOSPC, "out of disk space"},
		{unix.ENXIO, "device not configured"},
		{unix.EPERM, "permission denied"},
		{unix.EINTR, "interrupted system call"},
		{unix.ENOTDIR, "not a directory"},
		{unix.EMFILE, "process cannot open more files"},
		{unix.Errno(4000), "unknown error"},
	} {
		if got := Errno(c.e); got != c.want {
			t.Errorf("Errno(%d) = %q, want %q", c.e, got, c.want)
		}
	}
}

func TestTextUnwraps(t *testing.T) {
	_, err := os.Open("/nonexistent/file")
	if got := Text(err); got != "file does not exist" {
		t.Errorf("Text(%v) = %q", err, got)
	}
	wrapped := fmt.Errorf("ctx: %w", os.NewSyscallError("open", unix.EACCES))
	if got := Text(wrapped); got != "access denied" {
		t.Errorf("Text(wrapped) = %q", got)
	}
	if got := Text(errors.New("partial write")); got != "partial write" {
		t.Errorf("Text(plain) = %q", got)
	}
	if got := Text(nil); got != "no error" {
		t.Errorf("Text(nil) = %q", got)
	}
}

func TestErrnoOf(t *testing.T) {
	wrapped := fmt.Errorf("ctx: %w", os.NewSyscallError("setrlimit", unix.EPERM))
	if e, ok := ErrnoOf(wrapped); !ok || e != unix.EPERM {
		t.Errorf("ErrnoOf(wrapped EPERM) = %v, %v", e, ok)
	}
	if e, ok := ErrnoOf(errors.New("no errno")); ok || e != 0 {
		t.Errorf("ErrnoOf(plain) = %v, %v", e, ok)
	}
	if n := testing.AllocsPerRun(100, func() { ErrnoOf(wrapped) }); n != 0 {
		t.Errorf("ErrnoOf allocates %v times", n)
	}
}
