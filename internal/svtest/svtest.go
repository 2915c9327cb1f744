// Package svtest helps tests run supervise on service directories: it makes
// service directories, supervises them in a mode (mode.go: our supervise,
// Debian's, or svscan -C, which supervises them itself), waits for the
// supervision to be ready or to end, reads and waits for status records,
// and normalises the pids and seconds that differ from run to run.
package svtest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svdir"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// Deadline bounds every wait in these tests.
const Deadline = 20 * time.Second

// Service is a service directory.
type Service struct {
	Parent string // the directory holding it; supervise runs with this cwd
	Name   string // its name in Parent, the argument given to supervise
	Dir    string // Parent/Name
}

// NewService makes a service directory named name in a fresh temporary
// directory, with run as its run script (mode 0755), unless run is empty.
func NewService(t testing.TB, name, run string) *Service {
	t.Helper()
	parent := t.TempDir()
	s := &Service{Parent: parent, Name: name, Dir: filepath.Join(parent, name)}
	if err := os.Mkdir(s.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if run != "" {
		testutil.WriteFile(t, s.Path("run"), run, 0o755)
	}
	return s
}

// Path returns a path inside the service directory.
func (s *Service) Path(rel string) string { return filepath.Join(s.Dir, rel) }

// Start runs supervise (a path) on the service from its parent directory and
// waits until it accepts commands. env entries are added to the environment.
func (s *Service) Start(t testing.TB, supervise string, env ...string) *testutil.Proc {
	t.Helper()
	p := testutil.Start(t, testutil.Options{Dir: s.Parent, Env: append(os.Environ(), env...)}, supervise, s.Name)
	s.WaitRunning(t, p)
	return p
}

// WaitRunning waits until supervise holds supervise/ok open.
func (s *Service) WaitRunning(t testing.TB, p *testutil.Proc) {
	t.Helper()
	if p == nil {
		s.waitRunning(t, nil, nil)
		return
	}
	s.waitRunning(t, p.Exited, p.Stderr.String)
}

// waitRunning waits until supervise/ok has a reader, failing at once if
// exited (when not nil) says the supervisor has exited.
func (s *Service) waitRunning(t testing.TB, exited func() bool, stderr func() string) {
	t.Helper()
	testutil.Eventually(t, Deadline, "supervise to run in "+s.Dir, func() (bool, string) {
		if exited != nil && exited() {
			t.Fatalf("the supervisor exited early; stderr: %q", stderr())
		}
		ok, err := svdir.Running(s.dirfd(t))
		return ok, "svok: " + strconv.FormatBool(ok) + " " + errString(err)
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func (s *Service) dirfd(t testing.TB) int {
	fd, err := unix.Open(s.Dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return fd
}

// ReadStatus reads and decodes the status record of the service directory
// dir (supervise/status).
func ReadStatus(dir string) (status.Status, error) {
	b, err := os.ReadFile(filepath.Join(dir, layout.Status))
	if err != nil {
		return status.Status{}, err
	}
	st, err := status.Decode(b)
	if err != nil {
		return status.Status{}, fmt.Errorf("%s %q: %w", layout.Status, b, err)
	}
	return st, nil
}

// Status reads the status record.
func (s *Service) Status(t testing.TB) status.Status {
	t.Helper()
	st, err := ReadStatus(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// WaitStatus waits until the status record satisfies cond and returns it.
func (s *Service) WaitStatus(t testing.TB, what string, cond func(status.Status) bool) status.Status {
	t.Helper()
	var st status.Status
	testutil.Eventually(t, Deadline, what, func() (bool, string) {
		var err error
		if st, err = ReadStatus(s.Dir); err != nil {
			return false, err.Error()
		}
		return cond(st), Describe(st)
	})
	return st
}

// WaitUp waits for a running service whose pid differs from not (0: any).
func (s *Service) WaitUp(t testing.TB, not uint32) status.Status {
	t.Helper()
	return s.WaitStatus(t, "service up", func(st status.Status) bool { return st.Pid != 0 && st.Pid != not })
}

// WaitDown waits for a stopped service.
func (s *Service) WaitDown(t testing.TB) status.Status {
	t.Helper()
	return s.WaitStatus(t, "service down", func(st status.Status) bool { return st.Pid == 0 })
}

// Control sends cmds to supervise/control and fails the test on error.
func (s *Service) Control(t testing.TB, cmds string) {
	t.Helper()
	if err := svdir.Send(s.dirfd(t), []byte(cmds)); err != nil {
		t.Fatalf("control %q: %v", cmds, err)
	}
}

// Describe renders a status record for failure messages.
func Describe(st status.Status) string {
	w := "0"
	if st.Want != 0 {
		w = string(rune(st.Want))
	}
	return "pid=" + strconv.FormatUint(uint64(st.Pid), 10) + " paused=" + strconv.FormatBool(st.Paused) + " want=" + w +
		" when=" + st.When.String()
}

var (
	pidRE     = regexp.MustCompile(`pid [0-9]+`)
	secondsRE = regexp.MustCompile(`[0-9]+ seconds`)
)

// Normalize replaces pids and second counts in svstat output by N.
func Normalize(s string) string {
	s = pidRE.ReplaceAllString(s, "pid N")
	return secondsRE.ReplaceAllString(s, "N seconds")
}

// Fake stands in for a running supervise: it makes supervise/control and
// supervise/ok FIFOs in a service directory and holds them open for reading.
type Fake struct {
	control int
}

// MakeFIFOs makes dir/supervise with its control and ok FIFOs, as a
// supervise that has since died leaves them.
func MakeFIFOs(t testing.TB, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, layout.SuperviseDir), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{layout.Control, layout.OK} {
		if err := unix.Mkfifo(filepath.Join(dir, name), 0o600); err != nil && err != unix.EEXIST {
			t.Fatal(err)
		}
	}
}

// NewFake makes the FIFOs under dir/supervise and opens them for reading.
func NewFake(t testing.TB, dir string) *Fake {
	t.Helper()
	MakeFIFOs(t, dir)
	f := &Fake{}
	for _, name := range []string{layout.Control, layout.OK} {
		fd, err := unix.Open(filepath.Join(dir, name), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		if name == layout.Control {
			f.control = fd
		}
	}
	return f
}

// Commands returns the bytes written to supervise/control so far.
func (f *Fake) Commands() string {
	var out []byte
	var b [64]byte
	for {
		n, _ := unix.Read(f.control, b[:])
		if n <= 0 {
			return string(out)
		}
		out = append(out, b[:n]...)
	}
}

// WriteStatus writes a status record.
func WriteStatus(t testing.TB, dir string, st status.Status) {
	t.Helper()
	b := st.Encode()
	testutil.WriteFile(t, filepath.Join(dir, layout.Status), string(b[:]), 0o644)
}

// RunAs runs a copy of bin (so that the user may execute it) with args as
// uid:gid in dir and returns the result.
func RunAs(t testing.TB, uid, gid uint32, dir, bin string, args ...string) testutil.Result {
	t.Helper()
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(testutil.PublicDir(t), filepath.Base(bin))
	testutil.WriteFile(t, prog, string(b), 0o755)
	return testutil.Run(t, testutil.Options{Dir: dir, Credential: &syscall.Credential{Uid: uid, Gid: gid}}, prog, args...)
}
