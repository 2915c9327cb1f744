package procs

import (
	"os"
	"runtime"
	"slices"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	p, err := Parse([]byte("4242 (a b) c)) S 1 4242 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1234 56\n"))
	if err != nil || p.Pid != 4242 || p.PPid != 1 || p.Pgrp != 4242 || p.Session != 4240 || p.State != 'S' || p.Start != 987654 {
		t.Errorf("%+v %v", p, err)
	}
	if _, err := Parse([]byte("12 (x) S 1 2")); err == nil {
		t.Error("short stat parsed")
	}
}

func TestSelf(t *testing.T) {
	var r Reader
	me, err := r.Stat(os.Getpid())
	if err != nil || me.Pid != os.Getpid() || me.PPid != os.Getppid() || me.Pgrp != syscall.Getpgrp() || me.Start == 0 {
		t.Fatalf("%+v %v", me, err)
	}
	if !r.Alive(me.Pid, me.Start) || r.Alive(me.Pid, me.Start+1) {
		t.Error("Alive")
	}
	found := false
	for _, p := range r.All() {
		found = found || (p.Pid == me.Pid && p.Start == me.Start)
	}
	if !found {
		t.Error("All misses this process")
	}
	if n := testing.AllocsPerRun(10, func() { r.Stat(me.Pid) }); n != 0 {
		t.Errorf("Stat: %v allocations", n)
	}
}

// A shell in a session of its own with a child and a grandchild that left
// the session: all found through the session and the descendants.
func TestLeftovers(t *testing.T) {
	pid := shell(t, "sleep 100 & setsid sleep 101 & wait")
	var r Reader
	var kids []int
	deadline := time.Now().Add(10 * time.Second)
	for len(kids) < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		kids = kids[:0]
		for _, p := range r.All() {
			if p.PPid == pid {
				kids = append(kids, p.Pid)
			}
		}
	}
	if len(kids) != 2 {
		t.Fatalf("children: %v", kids)
	}
	got := Leftovers(nil, r.All(), Member{Session: pid})
	if len(got) != 3 { // the shell, sleep 100, and setsid sleep 101 as its descendant
		t.Errorf("by session: %v (children %v)", got, kids)
	}
	got = Leftovers(nil, r.All(), Member{Roots: []int{pid}, Except: []int{kids[0]}})
	sort.Ints(got)
	if len(got) != 2 {
		t.Errorf("by root except one: %v", got)
	}
	for _, k := range kids {
		syscall.Kill(k, syscall.SIGKILL)
	}
}

// Children and Descendants walk the tree down without reading all of /proc.
func TestChildrenWalk(t *testing.T) {
	if !HasChildrenFiles() {
		t.Skip("requires /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN)")
	}
	pid := shell(t, "sleep 100 & sh -c 'sleep 101 & wait' & wait")
	var r Reader
	deadline := time.Now().Add(10 * time.Second)
	var d []int
	for len(d) < 3 && time.Now().Before(deadline) { // sleep 100, the inner sh, its sleep 101
		time.Sleep(10 * time.Millisecond)
		d = r.Descendants(d[:0], pid)
	}
	if len(d) != 3 {
		t.Fatalf("descendants %v", d)
	}
	kids := r.Children(nil, pid)
	if len(kids) != 2 {
		t.Errorf("children %v", kids)
	}
	mine := r.Children(nil, os.Getpid())
	found := false
	for _, k := range mine {
		found = found || k == pid
	}
	if !found {
		t.Errorf("this process's children %v lack %d", mine, pid)
	}
}

// shell runs script in a session of its own, killed and reaped at the
// end of the test.
func shell(t *testing.T, script string) int {
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", script},
		&syscall.ProcAttr{Sys: &syscall.SysProcAttr{Setsid: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-pid, syscall.SIGKILL)
		var ws syscall.WaitStatus
		syscall.Wait4(pid, &ws, 0, nil)
	})
	return pid
}

// A children file longer than a page comes in several reads (it is a
// seq_file), and a pid may straddle two of them: every child is found,
// exactly, as a scan of all of /proc by parent finds them.
func TestChildrenMany(t *testing.T) {
	if !HasChildrenFiles() {
		t.Skip("requires /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN)")
	}
	const n = 1500
	pid := shell(t, "i=0; while [ $i -lt 1500 ]; do sleep 100 & i=$((i+1)); done; wait")
	var r Reader
	byParent := func() []int {
		var kids []int
		for _, p := range r.All() {
			if p.PPid == pid {
				kids = append(kids, p.Pid)
			}
		}
		return kids
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(byParent()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d children started", len(byParent()))
		}
		time.Sleep(20 * time.Millisecond)
	}
	want := byParent()
	got := r.Children(nil, pid)
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("Children found %d pids, /proc has %d children", len(got), len(want))
	}
}

// A process with more than 64 threads: the children of every thread
// are found (orphans go to whichever thread of a subreaper).
func TestChildrenManyThreads(t *testing.T) {
	if !HasChildrenFiles() {
		t.Skip("requires /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN)")
	}
	const n = 100
	pids := make(chan int, n)
	release := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // held to the end: each child's parent is its own thread
			pid, err := syscall.ForkExec("/bin/sleep", []string{"sleep", "100"}, &syscall.ProcAttr{})
			if err != nil {
				t.Error(err)
				pids <- 0
				return
			}
			pids <- pid
			<-release
		}()
	}
	var want []int
	for range n {
		if pid := <-pids; pid > 0 {
			want = append(want, pid)
		}
	}
	defer func() {
		for _, pid := range want {
			syscall.Kill(pid, syscall.SIGKILL)
			var ws syscall.WaitStatus
			syscall.Wait4(pid, &ws, 0, nil)
		}
		close(release)
		wg.Wait()
	}()
	var r Reader
	got := r.Children(nil, os.Getpid())
	for _, pid := range want {
		if !slices.Contains(got, pid) {
			t.Fatalf("child %d missing among %d children found (of %d started)", pid, len(got), len(want))
		}
	}
}
