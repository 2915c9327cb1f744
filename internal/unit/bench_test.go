package unit

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/supervise"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// benchUnit is a unit on a service directory in a temporary directory
// whose machine has seen what a restart after SIGKILL leaves behind: up,
// one restart, the last exit a signal. Nothing runs: only its files are
// written.
func benchUnit(b *testing.B) *Unit {
	b.Helper()
	dir := filepath.Join(b.TempDir(), "svc")
	if err := os.MkdirAll(filepath.Join(dir, layout.SuperviseDir), 0o700); err != nil {
		b.Fatal(err)
	}
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { unix.Close(fd) })
	u := &Unit{o: Options{Dir: dir}, m: supervise.New(), log: diag.Logger{Prog: "supervise", W: io.Discard}, dirfd: fd}
	u.initFiles()
	mono := time.Duration(0)
	var out []supervise.Action
	for _, e := range []supervise.Event{
		{Kind: supervise.Boot},
		{Kind: supervise.Enter},
		{Kind: supervise.Started, Pid: 100},
		{Kind: supervise.Timer, Timer: supervise.HoldTimer},
		{Kind: supervise.Exit, Pid: 100, Status: supervise.FromWait(syscall.WaitStatus(syscall.SIGKILL))},
		{Kind: supervise.Started, Pid: 101},
		{Kind: supervise.Timer, Timer: supervise.HoldTimer},
	} {
		mono += 2 * time.Second
		if out, err = u.m.Handle(e, supervise.Clock{Wall: tai64.Now(), Mono: mono}, out[:0]); err != nil {
			b.Fatalf("%v: %v", e.Kind, err)
		}
	}
	if u.m.State() != supervise.Up || u.m.Pid() != 101 || u.m.Restarts() != 1 {
		b.Fatalf("machine %v pid %d restarts %d, want up, 101, 1", u.m.State(), u.m.Pid(), u.m.Restarts())
	}
	return u
}

// writeBench runs write b.N times, back to back, and spaced: each write
// after a pause of 5 ms with the timer stopped, as on a restart, where the
// writes of the down and the up state are a fork and an exec apart and
// the file system had time to settle (on ext4, a rename over an existing
// file starts the write-back of the new one: a write that follows another
// at once finds part of that work done).
func writeBench(b *testing.B, write func()) {
	b.Run("back-to-back", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			write()
		}
	})
	b.Run("spaced", func(b *testing.B) {
		for range b.N {
			b.StopTimer()
			time.Sleep(5 * time.Millisecond)
			b.StartTimer()
			write()
		}
	})
}

// BenchmarkWriteStateJSON is what state.json costs on every state change
// (twice on a restart: down, then up): the record filled from the
// machine, AppendJSON, state.json.new written and renamed over
// supervise/state.json, as the unit does it. bench/ compares it with the
// restart latency (docs/PERFORMANCE.md); TMPDIR chooses the file system.
func BenchmarkWriteStateJSON(b *testing.B) {
	u := benchUnit(b)
	writeBench(b, u.publish)
	data, err := os.ReadFile(filepath.Join(u.o.Dir, layout.State))
	if err != nil {
		b.Fatal(err)
	}
	var d svstate.Doc
	if err := json.Unmarshal(data, &d); err != nil || d.State != svstate.Up || d.Pid != 101 || d.Restarts != 1 || d.LastExit == nil {
		b.Fatalf("state.json %s: %+v, %v", data, d, err)
	}
}

// BenchmarkWriteStatus is 0.76's write on every state change, for
// comparison: the 18-byte record through status.new and a rename.
func BenchmarkWriteStatus(b *testing.B) {
	u := benchUnit(b)
	st := status.Status{When: tai64.Now(), Pid: 101, Want: status.WantUp}
	rec := st.Encode()
	writeBench(b, func() {
		if !u.replace(pStatusNew, pStatus, layout.StatusNew, "status", rec[:]) {
			b.Fatal("status not written")
		}
	})
	data, err := os.ReadFile(filepath.Join(u.o.Dir, layout.Status))
	if err != nil || len(data) != len(rec) {
		b.Fatalf("status %q: %v", data, err)
	}
}
