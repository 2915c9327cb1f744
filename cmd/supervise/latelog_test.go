package main

import (
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// TestLateLog: a FIFO left in supervise/log.fifo with a reader becomes the
// service's stdout at its next start, and its name goes away; a FIFO that
// nobody reads (left by a dead svscan) is ignored.
func TestLateLog(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		m.NotApplicable(t, "svscan -C hands a late log to its unit itself (no FIFO in supervise/)")
		lateLog(t, m)
	})
}

func lateLog(t *testing.T, m svtest.Mode) {
	s := svtest.NewService(t, "s", "#!/bin/sh\necho started $$\nexec sleep 3600\n")
	p := m.Start(t, s)
	first := s.WaitUp(t, 0)

	fifo := s.Path("supervise/log.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	// No reader: the next start ignores it.
	s.Control(t, "t")
	second := s.WaitUp(t, first.Pid)
	testutil.Eventually(t, svtest.Deadline, "output on supervise's stdout", func() (bool, string) {
		return strings.Contains(p.Stdout.String(), "started "+itoa(second.Pid)), p.Stdout.String()
	})
	if _, err := os.Stat(fifo); err != nil {
		t.Errorf("an unread FIFO was taken: %v", err)
	}

	// With a reader (svscan holds it read-write), it is adopted.
	r, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.SetReadDeadline(time.Now().Add(svtest.Deadline)); err != nil {
		t.Fatal(err)
	}
	s.Control(t, "t")
	third := s.WaitUp(t, second.Pid)
	buf := make([]byte, 100)
	n, err := r.Read(buf)
	if err != nil || string(buf[:n]) != "started "+itoa(third.Pid)+"\n" {
		t.Errorf("read %q, %v from the FIFO", buf[:n], err)
	}
	if _, err := os.Lstat(fifo); !os.IsNotExist(err) {
		t.Errorf("adopted FIFO still named: %v", err)
	}
	if strings.Contains(p.Stdout.String(), "started "+itoa(third.Pid)) {
		t.Errorf("output went to supervise's stdout too")
	}
	// And it stays the service's stdout.
	s.Control(t, "t")
	fourth := s.WaitUp(t, third.Pid)
	n, err = r.Read(buf)
	if err != nil || string(buf[:n]) != "started "+itoa(fourth.Pid)+"\n" {
		t.Errorf("after another start: %q, %v", buf[:n], err)
	}
}

func itoa(pid uint32) string { return strconv.FormatUint(uint64(pid), 10) }
