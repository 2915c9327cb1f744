package host

import (
	"os"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/reap"
)

type recorder struct {
	h     *Host
	fired []int
	at    []time.Duration
	stop  int // Stop after this many fires
}

func (r *recorder) Fire(id int) {
	r.fired = append(r.fired, id)
	r.at = append(r.at, r.h.Now())
	if len(r.fired) == r.stop {
		r.h.Stop()
	}
}

// Timers fire in deadline order, cancelled ones never, re-armed ones at
// their new deadline; the loop waits for them without sleeping.
func TestTimers(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	r := &recorder{h: h, stop: 4}
	var ts [6]Timer
	for i := range ts {
		ts[i].Init(r, i)
	}
	h.Arm(&ts[0], 50*time.Millisecond)
	h.Arm(&ts[1], 10*time.Millisecond)
	h.Arm(&ts[2], 30*time.Millisecond)
	h.Arm(&ts[3], 20*time.Millisecond)
	h.Arm(&ts[4], 40*time.Millisecond)
	h.Arm(&ts[5], 5*time.Millisecond)
	h.Cancel(&ts[4])
	h.Arm(&ts[5], 60*time.Millisecond) // moved after the others
	h.Cancel(&ts[2])
	h.Run()
	want := []int{1, 3, 0, 5}
	if len(r.fired) != len(want) {
		t.Fatalf("fired %v, want %v", r.fired, want)
	}
	for i := range want {
		if r.fired[i] != want[i] {
			t.Fatalf("fired %v, want %v", r.fired, want)
		}
	}
	if r.at[3] < 60*time.Millisecond {
		t.Errorf("re-armed timer fired early: %v", r.at[3])
	}
	if ts[0].Armed() || ts[4].Armed() || len(h.timers) != 0 {
		t.Error("timers left armed")
	}
}

func TestHeapOrder(t *testing.T) {
	var q heap
	ts := make([]Timer, 200)
	for i := range ts {
		ts[i].at = time.Duration((i * 7919) % 200)
		q.push(&ts[i])
	}
	for i := 0; i < 50; i++ { // remove some from the middle
		q.remove(len(q) / 2)
	}
	last := time.Duration(-1)
	for len(q) > 0 {
		for i := range q {
			if q[i].pos != i+1 {
				t.Fatalf("pos %d at %d", q[i].pos, i)
			}
		}
		if q[0].at < last {
			t.Fatalf("out of order: %v after %v", q[0].at, last)
		}
		last = q[0].at
		q.remove(0)
	}
}

type fdRecorder struct {
	h   *Host
	got []byte
}

func (f *fdRecorder) Ready(fd int, _ uint32) {
	var b [16]byte
	n, _ := unix.Read(fd, b[:])
	if n > 0 {
		f.got = append(f.got, b[:n]...)
	}
	if len(f.got) >= 3 {
		f.h.Stop()
	}
}

// Descriptors wake the loop; a muted one does not until it is unmuted;
// SIGCHLD reaps through the host's reaper; other signals go to Signal.
func TestDescriptorsAndSignals(t *testing.T) {
	h, err := New(syscall.SIGUSR1)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_NONBLOCK|unix.O_CLOEXEC); err != nil {
		t.Fatal(err)
	}
	defer unix.Close(p[0])
	defer unix.Close(p[1])
	f := &fdRecorder{h: h}
	if err := h.Add(p[0], f); err != nil {
		t.Fatal(err)
	}
	h.Mute(p[0], true)
	unix.Write(p[1], []byte("abc"))
	var sigs []syscall.Signal
	h.Signal = func(s syscall.Signal) {
		sigs = append(sigs, s)
		h.Mute(p[0], false)
	}
	reaped := 0
	pid, err := syscall.ForkExec("/bin/sh", []string{"sh", "-c", "exit 7"}, &syscall.ProcAttr{})
	if err != nil {
		t.Fatal(err)
	}
	h.Reaper.Register(pid, reap.OwnerFunc(func(p int, ws unix.WaitStatus) {
		if p == pid && ws.ExitStatus() == 7 {
			reaped++
			syscall.Kill(os.Getpid(), syscall.SIGUSR1)
		}
	}))
	var guard Timer
	guard.Init(&recorder{h: h, stop: 1}, 0)
	h.Arm(&guard, 10*time.Second)
	h.Run()
	if string(f.got) != "abc" || reaped != 1 || len(sigs) != 1 || sigs[0] != syscall.SIGUSR1 {
		t.Errorf("got %q reaped %d signals %v", f.got, reaped, sigs)
	}
	if !guard.Armed() {
		t.Error("stopped by the guard timer, not by the events")
	}
}

// An idle round of the loop (a timer that fires) allocates nothing.
func TestLoopAllocatesNothing(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	r := &recorder{h: h, stop: -1}
	var tm Timer
	tm.Init(r, 0)
	r.fired = make([]int, 0, 1000)
	r.at = make([]time.Duration, 0, 1000)
	n := testing.AllocsPerRun(50, func() {
		h.Arm(&tm, time.Millisecond)
		h.wait()
		h.fireTimers()
		h.runQueue()
	})
	if n != 0 {
		t.Errorf("%v allocations per round", n)
	}
}
