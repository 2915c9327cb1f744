package pathexec

import (
	"errors"
	"os"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSpawn(t *testing.T) {
	dir := t.TempDir()
	script := dir + "/child"
	if err := os.WriteFile(script, []byte("#!/bin/sh\nexit 7\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(dir+"/noexec", []byte("#!/bin/sh\n"), 0o644)
	env := []string{"PATH=" + dir + "/missing:" + dir}
	pid, err := Spawn([]string{"child"}, &syscall.ProcAttr{Env: env, Files: []uintptr{0, 1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, 0, nil); err != nil || ws.ExitStatus() != 7 {
		t.Fatalf("child status %v, %v", ws.ExitStatus(), err)
	}
	if _, err := Spawn([]string{"nothere"}, &syscall.ProcAttr{Env: env}); !errors.Is(err, unix.ENOENT) {
		t.Errorf("missing program: %v", err)
	}
	if os.Geteuid() != 0 {
		if _, err := Spawn([]string{"noexec"}, &syscall.ProcAttr{Env: env}); !errors.Is(err, unix.EACCES) {
			t.Errorf("not executable: %v", err)
		}
	}
	// No child is left to reap after failures.
	if pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil); pid > 0 {
		t.Errorf("a failed child was left: pid %d %v", pid, err)
	}
}
