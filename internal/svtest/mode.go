package svtest

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/svdir"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// The names of the modes: the ways a service directory gets supervised.
const (
	// Ours is our supervise, run as `supervise NAME` in the service's
	// parent directory.
	Ours = "ours"
	// Debian is Debian's supervise (daemontools 0.76), run the same way.
	Debian = "debian"
	// Consolidated is `svscan -C PARENT` over the service's parent
	// directory, which holds only that service: svscan supervises it
	// itself, as a unit of its own process, with no supervise process.
	Consolidated = "consolidated"
)

// AllModes are every mode; OurModes those that run our supervision code
// (internal/unit), with its extensions.
var (
	AllModes = []string{Ours, Debian, Consolidated}
	OurModes = []string{Ours, Consolidated}
)

// Mode is one way of supervising a service directory, with the tools of
// the same side (svc, svstat, svok), and what its diagnostics look like.
type Mode struct {
	Name string
	// Supervise is the supervise program of the mode; "" under svscan -C.
	Supervise string
	// Svc, Svstat and Svok are Debian's with Debian's supervise, ours
	// otherwise.
	Svc, Svstat, Svok string
	// Extended: the mode runs our supervision code, with the extensions
	// (svc -q, -1, -2, the lifecycle files, state.json).
	Extended bool
	// Env is what the mode adds to the supervisor's environment (and so to
	// the services'): DAEMONTOOLS_STRICT=1 for our code, which makes an
	// event the state machine refuses a panic; under svscan -C also
	// SVSCAN_TEST_INTERVAL=1h, so that a service whose supervision ended
	// (svc -x) is not supervised again by a later scan.
	Env []string

	svscan string
}

// GetMode returns the mode named name. Debian's skips the test when
// Debian's daemontools is not installed.
func GetMode(t testing.TB, name string) Mode {
	t.Helper()
	ours := func(m Mode) Mode {
		m.Svc, m.Svstat, m.Svok = testutil.Bin(t, "svc"), testutil.Bin(t, "svstat"), testutil.Bin(t, "svok")
		m.Extended = true
		m.Env = []string{strictVar + "=1"}
		return m
	}
	switch name {
	case Ours:
		return ours(Mode{Name: name, Supervise: testutil.Bin(t, "supervise")})
	case Debian:
		return Mode{Name: name, Supervise: testutil.Debian(t, "supervise"), Svc: testutil.Debian(t, "svc"),
			Svstat: testutil.Debian(t, "svstat"), Svok: testutil.Debian(t, "svok")}
	case Consolidated:
		m := ours(Mode{Name: name, svscan: testutil.Bin(t, "svscan")})
		m.Env = append(m.Env, intervalVar+"=1h")
		return m
	}
	t.Fatalf("svtest: no mode %q", name)
	return Mode{}
}

// The variables the modes set (internal/superviseproc and internal/svscan
// name them too; svtest does not import those packages).
const (
	strictVar   = "DAEMONTOOLS_STRICT"
	intervalVar = "SVSCAN_TEST_INTERVAL"
)

// Consolidated reports whether the mode is svscan -C.
func (m Mode) Consolidated() bool { return m.Name == Consolidated }

// Prog is the program whose name starts the supervision's diagnostics.
func (m Mode) Prog() string {
	if m.Consolidated() {
		return "svscan"
	}
	return "supervise"
}

// NotApplicable skips the test under svscan -C, saying why: for the tests
// of supervise's own process (its exit, its signals, its re-exec...).
func (m Mode) NotApplicable(t testing.TB, why string) {
	t.Helper()
	if m.Consolidated() {
		t.Skip("not applicable to svscan -C: " + why)
	}
}

// Diag returns the line the mode prints where supervise prints line (one
// line, without its newline). Under svscan -C the diagnostics carry
// svscan's prefix and 0.76's fatal errors are warnings: svscan goes on
// (and tries again at its next scan). Debian's supervise prints one
// message without a prefix (an unreadable supervise symlink); svscan -C
// gives it its own.
func (m Mode) Diag(line string) string {
	if !m.Consolidated() {
		return line
	}
	// Debian's readlink message names "." (supervise is in the directory);
	// svscan -C names the service, which these tests call s.
	line = strings.Replace(line, "unable to readlink ./", "unable to readlink s/", 1)
	for _, p := range []string{"supervise: fatal: ", "supervise: warning: "} {
		if rest, ok := strings.CutPrefix(line, p); ok {
			return "svscan: warning: " + rest
		}
	}
	return "svscan: warning: " + line
}

// DiagText is Diag for each line of text.
func (m Mode) DiagText(text string) string {
	var b strings.Builder
	for _, l := range testutil.SplitLines(text) {
		b.WriteString(m.Diag(l))
		b.WriteByte('\n')
	}
	return b.String()
}

// LaunchOptions say how to start a supervisor.
type LaunchOptions struct {
	// Env is the environment (nil: the test's own); the mode's Env is
	// added to it.
	Env []string
	// Files are handed to the supervisor as descriptors 3, 4, ...
	Files []*os.File
	// BadParent starts the supervisor as a careless parent would leave
	// it (testutil.StartFromBadParent).
	BadParent bool
}

// Supervisor is the supervision of one service in a mode: the process
// that does it (supervise, or svscan -C) and how to tell that it ended.
// Its stderr is a file (Stderr reads it), not a pipe that a goroutine of
// the test copies: whatever the supervisor wrote before a test sees a
// change it made next is there (svscan -C, which goes on, gives no other
// sign that its output is complete).
type Supervisor struct {
	*testutil.Proc
	Mode    Mode
	Service *Service
	stderr  string
}

// Launch starts supervising s without waiting for it to accept commands.
func (m Mode) Launch(t testing.TB, s *Service, o LaunchOptions) *Supervisor {
	t.Helper()
	env := o.Env
	if env == nil {
		env = os.Environ()
	}
	stderr, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer stderr.Close()
	opts := testutil.Options{Dir: s.Parent, Env: append(env[:len(env):len(env)], m.Env...), Files: o.Files, StderrF: stderr}
	prog, args := m.Supervise, []string{s.Name}
	if m.Consolidated() {
		prog, args = m.svscan, []string{"-C", s.Parent}
	}
	var p *testutil.Proc
	if o.BadParent {
		p = testutil.StartFromBadParent(t, opts, prog, args...)
	} else {
		p = testutil.Start(t, opts, prog, args...)
	}
	return &Supervisor{Proc: p, Mode: m, Service: s, stderr: stderr.Name()}
}

// Start starts supervising s with env added to the test's environment and
// waits until the supervision accepts commands (svok succeeds).
func (m Mode) Start(t testing.TB, s *Service, env ...string) *Supervisor {
	t.Helper()
	sv := m.Launch(t, s, LaunchOptions{Env: append(os.Environ(), env...)})
	sv.WaitRunning(t)
	return sv
}

// WaitRunning waits until the supervision accepts commands (svok
// succeeds); it fails at once if the supervisor exits.
func (sv *Supervisor) WaitRunning(t testing.TB) {
	t.Helper()
	sv.Service.waitRunning(t, sv.Exited, sv.Stderr)
}

// Stderr is what the supervisor has written to its stderr so far.
func (sv *Supervisor) Stderr() string {
	b, _ := os.ReadFile(sv.stderr)
	return string(b)
}

// Ended reports whether the supervision of the service has ended: the
// supervise process has exited; under svscan -C, the service's unit has
// closed its files (the ok FIFO has no reader, the lock is free).
func (sv *Supervisor) Ended() bool {
	if !sv.Mode.Consolidated() {
		return sv.Exited()
	}
	fd, err := unix.Open(sv.Service.Dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	if ok, _ := svdir.Running(fd); ok {
		return false
	}
	return lockFree(sv.Service.Path(layout.Lock))
}

// lockFree reports whether nobody holds the flock on path.
func lockFree(path string) bool {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return os.IsNotExist(err)
	}
	defer unix.Close(fd)
	if unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) != nil {
		return false
	}
	unix.Flock(fd, unix.LOCK_UN) //nolint:errcheck // closing releases it anyway
	return true
}

// WaitEnded waits until the supervision of the service has ended and
// returns supervise's exit code. Under svscan -C svscan goes on: it
// returns 0 once the unit has closed its files, and fails the test if
// svscan has exited instead.
func (sv *Supervisor) WaitEnded(t testing.TB) int {
	t.Helper()
	if !sv.Mode.Consolidated() {
		return sv.Wait(t, Deadline)
	}
	testutil.Eventually(t, Deadline, "the supervision of "+sv.Service.Dir+" to end", func() (bool, string) {
		return sv.Ended(), "still supervised"
	})
	if sv.Exited() {
		t.Errorf("svscan -C exited when the supervision of one service ended; stderr: %q", sv.Stderr())
		return sv.Wait(t, Deadline)
	}
	return 0
}

// Refusal is what a mode does when it cannot supervise a directory: what
// it prints at one attempt, and supervise's exit code; svscan -C does not
// exit, it goes on and tries again at its next scan (Retry).
type Refusal struct {
	Stdout, Stderr string
	Code           int
	Retry          bool
}

// Refusal is the refusal the mode gives where supervise gives r.
func (m Mode) Refusal(r testutil.Result) Refusal {
	if m.Consolidated() {
		return Refusal{Stdout: r.Stdout, Stderr: m.DiagText(r.Stderr), Retry: true}
	}
	return Refusal{Stdout: r.Stdout, Stderr: r.Stderr, Code: r.Code}
}

// Refuse supervises the directory parent/name in the mode, expecting a
// refusal, and returns it. Under svscan -C it checks that svscan goes on
// without the service (it holds none of its files) and retries at its
// next scan (made at once with SIGALRM) with the same message.
func (m Mode) Refuse(t testing.TB, parent string, env []string, args ...string) Refusal {
	t.Helper()
	if !m.Consolidated() {
		r := testutil.Run(t, testutil.Options{Dir: parent, Env: append(env[:len(env):len(env)], m.Env...)}, m.Supervise, args...)
		return Refusal{Stdout: r.Stdout, Stderr: r.Stderr, Code: r.Code}
	}
	if len(args) != 1 || filepath.Base(args[0]) != args[0] {
		t.Fatalf("svtest: under svscan -C the service is a name in parent, not %q", args)
	}
	s := &Service{Parent: parent, Name: args[0], Dir: filepath.Join(parent, args[0])}
	sv := m.Launch(t, s, LaunchOptions{Env: env})
	var first string
	testutil.Eventually(t, Deadline, "svscan -C to refuse "+s.Dir, func() (bool, string) {
		first = sv.Stderr()
		return strings.HasSuffix(first, "\n"), first
	})
	if sv.Exited() {
		t.Fatalf("svscan -C exited: %q", sv.Stderr())
	}
	if held := heldUnder(sv.Pid(), s.Dir); len(held) > 0 {
		t.Errorf("svscan -C refused %s but holds %q", s.Dir, held)
	}
	sv.Signal(syscall.SIGALRM)
	testutil.Eventually(t, Deadline, "svscan -C to try again at its next scan", func() (bool, string) {
		return sv.Stderr() == first+first, sv.Stderr()
	})
	if sv.Exited() {
		t.Errorf("svscan -C exited: %q", sv.Stderr())
	}
	return Refusal{Stdout: sv.Stdout.String(), Stderr: first, Retry: true}
}

// heldUnder lists the files in or under dir that process pid holds open.
func heldUnder(pid int, dir string) []string {
	fds := "/proc/" + strconv.Itoa(pid) + "/fd"
	ents, _ := os.ReadDir(fds)
	var held []string
	for _, e := range ents {
		if l, err := os.Readlink(filepath.Join(fds, e.Name())); err == nil && (l == dir || strings.HasPrefix(l, dir+"/")) {
			held = append(held, l)
		}
	}
	return held
}
