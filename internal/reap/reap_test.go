package reap

import (
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func start(t *testing.T, script string) int {
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", script}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// Exits go to their owners, the others to Orphan; every child is reaped.
func TestDispatch(t *testing.T) {
	r := New()
	got := map[int]int{}
	var orphans []int
	r.Orphan = OwnerFunc(func(pid int, ws unix.WaitStatus) { orphans = append(orphans, pid) })
	a, b, c := start(t, "exit 3"), start(t, "kill -9 $$"), start(t, "exit 0")
	r.Register(a, OwnerFunc(func(pid int, ws unix.WaitStatus) { got[pid] = ws.ExitStatus() }))
	r.Register(b, OwnerFunc(func(pid int, ws unix.WaitStatus) { got[pid] = -int(ws.Signal()) }))
	deadline := time.Now().Add(10 * time.Second)
	for len(got)+len(orphans) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("not all reaped: %v %v", got, orphans)
		}
		r.Reap()
		time.Sleep(time.Millisecond)
	}
	if got[a] != 3 || got[b] != -9 || len(orphans) != 1 || orphans[0] != c {
		t.Errorf("got %v orphans %v", got, orphans)
	}
	if r.Owns(a) || r.Owns(b) {
		t.Error("registrations kept after the exit")
	}
	r.Reap()
	if !r.NoChildren() {
		t.Error("children left")
	}
}

func TestReapAllocatesNothing(t *testing.T) {
	r := New()
	o := OwnerFunc(func(int, unix.WaitStatus) {})
	if n := testing.AllocsPerRun(100, func() {
		r.Register(12345678, o)
		r.Reap()
		r.Forget(12345678)
	}); n != 0 {
		t.Errorf("%v allocations", n)
	}
}
