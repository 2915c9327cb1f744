package svscan

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/diag"
	"golang.org/x/sys/unix"
)

// fakeNode is one name in the fake file system.
type fakeNode struct {
	id   ID
	dir  bool
	link bool  // a symlink (to a directory when dir)
	err  error // stat fails with this
}

// fakeSystem is a System over a map of names, recording what it was asked.
type fakeSystem struct {
	nodes   map[string]fakeNode
	order   []string // directory listing order; nil: sorted names of nodes without '/'
	readErr error
	pipeErr error
	mainErr map[string]error
	logErr  map[string]error
	nextPid int
	nextFD  int
	open    map[int]bool
	calls   []string
	stats   int    // Stat calls on entries of the directory itself
	fatalAt string // StartLog of this name fails to come back (Fatal)
	fatal   error
}

func newFake() *fakeSystem {
	return &fakeSystem{nodes: map[string]fakeNode{}, mainErr: map[string]error{}, logErr: map[string]error{},
		nextPid: 100, nextFD: 10, open: map[int]bool{}}
}

func (f *fakeSystem) dir(name string, ino uint64) {
	f.nodes[name] = fakeNode{id: ID{1, ino}, dir: true}
}

func (f *fakeSystem) ReadDir() ([]Dirent, error) {
	names := f.order
	if names == nil {
		for n := range f.nodes {
			if !strings.Contains(n, "/") {
				names = append(names, n)
			}
		}
		sort.Strings(names)
	}
	var ents []Dirent
	for _, name := range names {
		n := f.nodes[name]
		d := Dirent{Name: name, Ino: n.id.Ino, Type: unix.DT_REG}
		switch {
		case n.link || n.err != nil:
			d.Type, d.Ino = unix.DT_LNK, 1000+n.id.Ino
		case n.dir:
			d.Type = unix.DT_DIR
		}
		ents = append(ents, d)
	}
	return ents, f.readErr
}

func (f *fakeSystem) Stat(name string) (ID, bool, error) {
	if !strings.Contains(name, "/") {
		f.stats++
	}
	n, ok := f.nodes[name]
	if !ok {
		return ID{}, false, unix.ENOENT
	}
	if n.err != nil {
		return ID{}, false, n.err
	}
	return n.id, n.dir, nil
}

func (f *fakeSystem) StatLog(name string) error {
	_, _, err := f.Stat(name + "/log")
	return err
}

func (f *fakeSystem) Pipe(string) (int, int, error) {
	if f.pipeErr != nil {
		return -1, -1, f.pipeErr
	}
	r, w := f.nextFD, f.nextFD+1
	f.nextFD += 2
	f.open[r], f.open[w] = true, true
	f.calls = append(f.calls, fmt.Sprintf("pipe %d %d", r, w))
	return r, w, nil
}

func (f *fakeSystem) LateLog(name string, _ int) (int, int, error) {
	if f.pipeErr != nil {
		return -1, -1, f.pipeErr
	}
	r, w := f.nextFD, f.nextFD+1
	f.nextFD += 2
	f.open[r], f.open[w] = true, true
	f.calls = append(f.calls, fmt.Sprintf("fifo %s %d %d", name, r, w))
	return r, w, nil
}

func (f *fakeSystem) Close(fd int) {
	delete(f.open, fd)
	f.calls = append(f.calls, fmt.Sprintf("close %d", fd))
}

func (f *fakeSystem) StartMain(name string, stdout int) (int, error) {
	if err := f.mainErr[name]; err != nil {
		return 0, err
	}
	f.nextPid++
	f.calls = append(f.calls, fmt.Sprintf("main %s fd1=%d pid=%d", name, stdout, f.nextPid))
	return f.nextPid, nil
}

func (f *fakeSystem) Fatal() error { return f.fatal }

func (f *fakeSystem) StartLog(name string, stdin int) (int, error) {
	if name == f.fatalAt {
		f.fatal = errors.New("unable to fchdir")
	}
	if err := f.logErr[name]; err != nil {
		return 0, err
	}
	f.nextPid++
	f.calls = append(f.calls, fmt.Sprintf("log %s fd0=%d pid=%d", name, stdin, f.nextPid))
	return f.nextPid, nil
}

// takeCalls returns and forgets the calls recorded so far.
func (f *fakeSystem) takeCalls() string {
	s := strings.Join(f.calls, "\n")
	f.calls = nil
	return s
}

func newScanner(f *fakeSystem) (*Scanner, *bytes.Buffer) {
	var out bytes.Buffer
	return &Scanner{Table: NewTable(), Sys: f, Log: diag.Logger{Prog: "svscan", W: &out}}, &out
}

func expect(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s:\ngot:\n%s\nwant:\n%s", what, got, want)
	}
}

func TestScanStartsServicesAndLogs(t *testing.T) {
	f := newFake()
	f.dir("a", 1)
	f.dir("b", 2)
	f.nodes["b/log"] = fakeNode{id: ID{1, 3}, dir: true}
	f.dir(".hidden", 4)
	f.nodes["plain"] = fakeNode{id: ID{1, 5}}
	s, out := newScanner(f)
	s.Scan()
	expect(t, "first scan", f.takeCalls(), "main a fd1=-1 pid=101\npipe 10 11\nmain b fd1=11 pid=102\nlog b fd0=10 pid=103")
	expect(t, "messages", out.String(), "")
	// Nothing to do while everything runs.
	s.Scan()
	expect(t, "second scan", f.takeCalls(), "")
	// A reaped supervise is restarted by the next scan; the log pipe stays.
	ended(s, 102, 103, 999)
	s.Scan()
	expect(t, "after reaping", f.takeCalls(), "main b fd1=11 pid=104\nlog b fd0=10 pid=105")
}

func TestScanWarnings(t *testing.T) {
	f := newFake()
	f.nodes["dangling"] = fakeNode{err: unix.ENOENT}
	f.dir("c", 6)
	f.nodes["c/log"] = fakeNode{err: unix.EACCES}
	s, out := newScanner(f)
	s.Scan()
	s.Scan()
	want := "svscan: warning: unable to stat c/log: access denied\n" +
		"svscan: warning: unable to stat dangling: file does not exist\n"
	expect(t, "messages", out.String(), want+want)
	if s.Table.Len() != 0 {
		t.Errorf("slot created despite the log stat error")
	}
}

func TestLogDecidedOncePerSlot(t *testing.T) {
	f := newFake()
	f.dir("a", 1)
	s, _ := newScanner(f)
	s.Scan()
	f.takeCalls()
	// A log appearing later in a plain directory is not seen while the stat
	// cache holds the directory (0.76 never sees it)...
	f.nodes["a/log"] = fakeNode{id: ID{1, 9}, dir: true}
	ended(s, 101)
	s.Scan()
	expect(t, "restart keeps no log", f.takeCalls(), "main a fd1=-1 pid=102")
	// ...but at the minute's full stat it is attached: the FIFO is made
	// and the log started; the running supervise is left alone.
	for i := 2; i < refreshEvery; i++ {
		s.Scan()
	}
	expect(t, "no calls until the refresh", f.takeCalls(), "")
	s.Scan()
	expect(t, "attached", f.takeCalls(), "fifo a 10 11\nlog a fd0=10 pid=103")
	// From then on the slot is logged: a restarted supervise gets the pipe.
	ended(s, 102)
	s.Scan()
	expect(t, "restart with the log", f.takeCalls(), "main a fd1=11 pid=104")

	// Any file type that stats is a log; removing it later does not matter.
	f2 := newFake()
	f2.dir("b", 2)
	f2.nodes["b/log"] = fakeNode{id: ID{1, 8}}
	s2, _ := newScanner(f2)
	s2.Scan()
	delete(f2.nodes, "b/log")
	ended(s2, 102)
	s2.Scan()
	expect(t, "file log", f2.takeCalls(), "pipe 10 11\nmain b fd1=11 pid=101\nlog b fd0=10 pid=102\nlog b fd0=10 pid=103")
}

// A symlinked service is stat'ed at every scan, so a log added to it is
// attached at the next scan; a failure to make the FIFO is reported and
// tried again.
func TestLateLogThroughSymlink(t *testing.T) {
	f := newFake()
	f.nodes["hello"] = fakeNode{id: ID{1, 1}, dir: true, link: true}
	s, out := newScanner(f)
	s.Scan()
	f.takeCalls()
	s.Scan()
	expect(t, "no log yet", f.takeCalls(), "")
	f.nodes["hello/log"] = fakeNode{id: ID{1, 2}, dir: true}
	f.pipeErr = unix.EMFILE
	s.Scan()
	expect(t, "fifo failed", f.takeCalls(), "")
	expect(t, "warning", out.String(), "svscan: warning: unable to create pipe for hello: process cannot open more files\n")
	f.pipeErr = nil
	s.Scan()
	expect(t, "attached", f.takeCalls(), "fifo hello 10 11\nlog hello fd0=10 pid=102")
	s.Scan()
	expect(t, "attached once", f.takeCalls(), "")
}

func TestLongNameHasNoLog(t *testing.T) {
	f := newFake()
	long := strings.Repeat("x", 256)
	f.dir(long, 1)
	f.nodes[long+"/log"] = fakeNode{id: ID{1, 2}, dir: true}
	f.dir(long[:255], 3)
	f.nodes[long[:255]+"/log"] = fakeNode{id: ID{1, 4}, dir: true}
	s, _ := newScanner(f)
	s.Scan()
	got := f.takeCalls()
	if strings.Count(got, "pipe") != 1 || !strings.Contains(got, "main "+long+" fd1=-1") {
		t.Errorf("a 256-byte name must get no log, a 255-byte one must:\n%s", got)
	}
}

func TestSameDirectoryTwice(t *testing.T) {
	f := newFake()
	f.dir("a", 1)
	f.nodes["alias"] = fakeNode{id: ID{1, 1}, dir: true, link: true}
	s, _ := newScanner(f)
	s.Scan()
	expect(t, "one supervise", f.takeCalls(), "main a fd1=-1 pid=101")
}

func TestDropAfterRemoval(t *testing.T) {
	f := newFake()
	f.dir("b", 2)
	f.nodes["b/log"] = fakeNode{id: ID{1, 3}, dir: true}
	s, _ := newScanner(f)
	s.Scan()
	f.takeCalls()
	delete(f.nodes, "b")
	// Gone but supervise still running: kept, nothing restarted.
	s.Scan()
	expect(t, "kept while running", f.takeCalls(), "")
	ended(s, 101)
	s.Scan()
	expect(t, "kept while the log runs", f.takeCalls(), "")
	ended(s, 102)
	s.Scan()
	expect(t, "dropped", f.takeCalls(), "close 10\nclose 11")
	if s.Table.Len() != 0 || len(f.open) != 0 {
		t.Errorf("table %d slots, %d fds open", s.Table.Len(), len(f.open))
	}
	// Back under the same name: a new slot.
	f.dir("b", 2)
	s.Scan()
	expect(t, "new slot", f.takeCalls(), "pipe 12 13\nmain b fd1=13 pid=103\nlog b fd0=12 pid=104")
}

func TestReadErrorSkipsDrop(t *testing.T) {
	f := newFake()
	f.dir("a", 1)
	s, out := newScanner(f)
	s.Scan()
	f.takeCalls()
	ended(s, 101)
	f.order = []string{}
	f.readErr = unix.EIO
	s.Scan()
	expect(t, "message", out.String(), "svscan: warning: unable to read directory: input/output error\n")
	if s.Table.Len() != 1 {
		t.Errorf("slot dropped after a read error")
	}
	// An unreadable directory (opendir fails) is reported every scan.
	f.order, f.readErr = nil, unix.EACCES
	out.Reset()
	s.Scan()
	expect(t, "message", out.String(), "svscan: warning: unable to read directory: access denied\n")
}

func TestStartFailures(t *testing.T) {
	f := newFake()
	f.dir("a", 1)
	f.nodes["a/log"] = fakeNode{id: ID{1, 2}, dir: true}
	f.dir("b", 3)
	f.nodes["b/log"] = fakeNode{id: ID{1, 4}, dir: true}
	f.mainErr["a"] = &StartError{Step: StepExec, Err: unix.ENOENT}
	f.logErr["a"] = &StartError{Step: StepExec, Err: unix.ENOENT}
	f.mainErr["b"] = &StartError{Step: StepFork, Err: unix.EAGAIN}
	s, out := newScanner(f)
	s.Scan()
	expect(t, "messages", out.String(),
		"svscan: warning: unable to start supervise a: file does not exist\n"+
			"svscan: warning: unable to start supervise a/log: file does not exist\n"+
			"svscan: warning: unable to fork for b: temporary failure\n")
	expect(t, "calls", f.takeCalls(), "pipe 10 11\npipe 12 13")
	// Next scan retries; the log's directory switch can fail on its own.
	delete(f.mainErr, "a")
	delete(f.mainErr, "b")
	f.logErr["a"] = &StartError{Step: StepSwitch, Err: unix.ENOENT}
	f.logErr["b"] = &StartError{Step: StepFork, Err: unix.ENOMEM}
	out.Reset()
	s.Scan()
	expect(t, "messages", out.String(),
		"svscan: warning: unable to switch to a: file does not exist\n"+
			"svscan: warning: unable to fork for b/log: out of memory\n")
}

func TestPipeFailureRetried(t *testing.T) {
	f := newFake()
	f.dir("a", 1)
	f.nodes["a/log"] = fakeNode{id: ID{1, 2}, dir: true}
	f.dir("z", 3)
	f.pipeErr = unix.EMFILE
	s, out := newScanner(f)
	s.Scan()
	s.Scan()
	line := "svscan: warning: unable to create pipe for a: process cannot open more files\n"
	expect(t, "messages", out.String(), line+line)
	expect(t, "calls", f.takeCalls(), "main z fd1=-1 pid=101")
	f.pipeErr = nil
	s.Scan()
	expect(t, "calls", f.takeCalls(), "pipe 10 11\nmain a fd1=11 pid=102\nlog a fd0=10 pid=103")
}

// TestStatCache: plain directories are stat'ed once while their inode
// number stays the same, symlinks at every scan, everything every
// refreshEvery scans.
func TestStatCache(t *testing.T) {
	f := newFake()
	f.dir("a", 1)
	f.dir("b", 2)
	f.nodes["c"] = fakeNode{id: ID{2, 3}, dir: true, link: true}
	f.nodes["plain"] = fakeNode{id: ID{1, 4}}
	s, _ := newScanner(f)
	s.Scan()
	if f.stats != 4 {
		t.Fatalf("first scan: %d stats, want 4", f.stats)
	}
	f.takeCalls()
	for i := 1; i < refreshEvery; i++ {
		f.stats = 0
		s.Scan()
		if f.stats != 2 {
			t.Fatalf("scan %d: %d stats, want 2 (the symlink and the file)", i+1, f.stats)
		}
	}
	f.stats = 0
	s.Scan()
	if f.stats != 4 {
		t.Fatalf("refresh scan: %d stats, want 4", f.stats)
	}
	// A directory replaced by a new one (new inode) is a new service.
	f.dir("b", 9)
	f.stats = 0
	s.Scan()
	expect(t, "replaced directory", f.takeCalls(), "main b fd1=-1 pid=104")
	if f.stats != 3 {
		t.Errorf("%d stats, want 3", f.stats)
	}
}

// No service limit: 0.76 stopped at 1000 ("running too many services").
func TestManyServices(t *testing.T) {
	const n = 20000
	f := newFake()
	for i := 0; i < n; i++ {
		f.dir(fmt.Sprintf("s%05d", i), uint64(i+1))
	}
	s, out := newScanner(f)
	s.Scan()
	if s.Table.Len() != n || out.Len() != 0 {
		t.Fatalf("%d slots, messages %q", s.Table.Len(), out.String())
	}
	if got := strings.Count(f.takeCalls(), "main "); got != n {
		t.Fatalf("%d supervise started, want %d", got, n)
	}
}

// reap tells the scanner that these supervise processes ended.
func ended(s *Scanner, pids ...int) {
	for _, p := range pids {
		s.Reaped(p)
	}
}

// A scan that could not come back to the scanned directory (Fatal) visits
// nothing more: the names would resolve elsewhere.
func TestScanStopsAtFatal(t *testing.T) {
	f := newFake()
	f.dir("a", 1)
	f.nodes["a/log"] = fakeNode{id: ID{1, 2}, dir: true}
	f.dir("b", 3)
	f.fatalAt = "a"
	s, _ := newScanner(f)
	s.Scan()
	if calls := f.takeCalls(); strings.Contains(calls, "main b") {
		t.Errorf("b started after the scan could not come back:\n%s", calls)
	}
}
