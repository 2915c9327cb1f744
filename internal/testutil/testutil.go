// Package testutil runs the suite's real binaries in tests: it builds every
// command once per test binary, starts processes in their own process groups
// and kills them at cleanup, polls with deadlines, and finds Debian's
// daemontools binaries for interoperability tests. Reading processes from
// /proc (parent, children, liveness, command line) is package procfs.
//
// A package with integration tests declares
//
//	func TestMain(m *testing.M) { testutil.Main(m) }
//
// Main makes the test binary a child subreaper, so that services orphaned by
// a killed supervisor are re-parented to it and killed when the tests end:
// no test leaves a process behind.
package testutil

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

var binDir string

// Main builds the commands (or uses $DAEMONTOOLS_BIN when set, as `make test`
// does), runs the tests, kills every process left behind, and exits. In a
// test binary started by StartFromBadParent it runs no test: it becomes
// that parent and executes the program.
func Main(m *testing.M) {
	if spec, ok := os.LookupEnv(badParentVar); ok {
		os.Exit(becomeBadParent(spec))
	}
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) //nolint:errcheck // best effort
	binDir = os.Getenv("DAEMONTOOLS_BIN")
	if binDir == "" {
		dir, err := os.MkdirTemp("", "daemontools-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, "testutil:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		root, err := ModuleRoot()
		if err != nil {
			fmt.Fprintln(os.Stderr, "testutil:", err)
			return 1
		}
		// As the Makefile builds them (see its GOFLAGS_BUILD).
		cmd := exec.Command("go", "build", "-tags", "daemontools_quiet", "-ldflags=-checklinkname=0", "-o", dir+"/", "./cmd/...")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "testutil: building commands: %v\n%s", err, out)
			return 1
		}
		binDir = dir
	}
	code := m.Run()
	if left := KillChildren(); left > 0 && code == 0 {
		fmt.Fprintf(os.Stderr, "testutil: %d processes were left behind and have been killed\n", left)
		code = 1
	}
	return code
}

// ModuleRoot finds the directory holding go.mod, upwards from the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found")
		}
		dir = parent
	}
}

// BinDir is the directory holding the built commands.
func BinDir(t testing.TB) string {
	t.Helper()
	if binDir == "" {
		t.Fatal("testutil.Main was not called from TestMain")
	}
	return binDir
}

// Bin returns the path of one of our commands.
func Bin(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(BinDir(t), name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("command %s not built: %v", name, err)
	}
	return p
}

// DebianDir is where Debian's daemontools package installs its programs.
const DebianDir = "/usr/bin"

// Debian returns the path of Debian's daemontools program name, or skips the
// test when the package is not installed (CI installs it).
func Debian(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(DebianDir, name)
	if _, err := os.Stat("/usr/share/doc/daemontools"); err != nil {
		t.Skip("requires Debian's daemontools package (apt-get install daemontools)")
	}
	if _, err := os.Stat(p); err != nil {
		t.Skipf("requires Debian's %s (apt-get install daemontools)", name)
	}
	return p
}

// RequireRoot skips the test unless it runs as root.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("requires root")
	}
}

// Buffer is a bytes.Buffer safe for a process to write while a test reads it.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Proc is a process started by Start.
type Proc struct {
	Cmd    *exec.Cmd
	Stdout *Buffer
	Stderr *Buffer
	done   chan struct{}
	err    error
}

// Pid is the process id.
func (p *Proc) Pid() int { return p.Cmd.Process.Pid }

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Wait waits up to d for the process to exit and returns its exit code
// (-1 for death by signal). It fails the test on timeout.
func (p *Proc) Wait(t testing.TB, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("%s did not exit within %v", p.Cmd.Path, d)
	}
	return exitCode(p.err)
}

// Signal sends sig to the process.
func (p *Proc) Signal(sig syscall.Signal) { syscall.Kill(p.Pid(), sig) } //nolint:errcheck

// Options for Start and Run.
type Options struct {
	Dir     string     // working directory
	Env     []string   // environment; nil means os.Environ()
	Stdin   string     // fed on stdin (ignored if StdinFile is set)
	Files   []*os.File // extra files, as fd 3, 4, ...
	StdinF  *os.File   // stdin as a file (a pipe end, say)
	StdoutF *os.File   // stdout as a file instead of a buffer
	StderrF *os.File   // stderr as a file instead of a buffer
	// Credential, when set, runs the process as that user and group
	// (which needs root).
	Credential *syscall.Credential
}

// Start starts name with args in its own process group. At cleanup the whole
// group is killed with SIGKILL and the process is reaped.
func Start(t testing.TB, o Options, name string, args ...string) *Proc {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = o.Dir
	cmd.Env = o.Env
	p := &Proc{Cmd: cmd, Stdout: &Buffer{}, Stderr: &Buffer{}, done: make(chan struct{})}
	switch {
	case o.StdinF != nil:
		cmd.Stdin = o.StdinF
	case o.Stdin != "":
		cmd.Stdin = strings.NewReader(o.Stdin)
	}
	if o.StdoutF != nil {
		cmd.Stdout = o.StdoutF
	} else {
		cmd.Stdout = p.Stdout
	}
	cmd.Stderr = p.Stderr
	if o.StderrF != nil {
		cmd.Stderr = o.StderrF
	}
	cmd.ExtraFiles = o.Files
	// Pdeathsig: should the test binary die (a SIGPIPE from "go test | head"),
	// its children die with it instead of running on.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL, Credential: o.Credential}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	// A process may have descendants in sessions of their own (supervise
	// starts each service in one), which the group kill misses and which
	// keep the output pipes open: the process is stopped (so that it starts
	// nothing more), then its tree is killed.
	cmd.WaitDelay = 10 * time.Second
	t.Cleanup(func() {
		syscall.Kill(p.Pid(), syscall.SIGSTOP) //nolint:errcheck
		for _, d := range procfs.LiveDescendants(p.Pid()) {
			syscall.Kill(d, syscall.SIGKILL) //nolint:errcheck
		}
		syscall.Kill(-p.Pid(), syscall.SIGKILL) //nolint:errcheck
		syscall.Kill(p.Pid(), syscall.SIGKILL)  //nolint:errcheck
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			t.Errorf("%s (pid %d) not reaped after SIGKILL", name, p.Pid())
		}
	})
	return p
}

// Result is the outcome of Run.
type Result struct {
	Stdout, Stderr string
	Code           int // exit code, -1 if killed by a signal
}

// Run runs name with args to completion (at most 30 seconds).
func Run(t testing.TB, o Options, name string, args ...string) Result {
	t.Helper()
	p := Start(t, o, name, args...)
	code := p.Wait(t, 30*time.Second)
	return Result{Stdout: p.Stdout.String(), Stderr: p.Stderr.String(), Code: code}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -2
}

// Eventually polls cond every 10 ms until it holds or d has passed, then
// fails the test with what and the last message cond gave.
func Eventually(t testing.TB, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	delay := time.Millisecond
	for {
		ok, msg := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s: %s", d, what, msg)
		}
		time.Sleep(delay)
		if delay < 20*time.Millisecond {
			delay *= 2
		}
	}
}

// KillChildren kills every process below this one that is still running
// (zombies aside) and reaps what it can; it returns how many it killed.
func KillChildren() int {
	n := 0
	for _, pid := range procfs.LiveDescendants(os.Getpid()) {
		if syscall.Kill(pid, syscall.SIGKILL) == nil {
			n++
		}
	}
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if pid <= 0 || err != nil {
			break
		}
	}
	return n
}

// CallRun calls a command's run function in this process, as diag.Main
// would with args (args[0] is the program name) and stdin (nil: empty),
// and returns what it wrote and the exit code with the message that
// diag.Code gives its error.
func CallRun(t testing.TB, run diag.Run, stdin io.Reader, args ...string) Result {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var stdout, stderr Buffer
	err := run(stdin, &stdout, &stderr, args)
	code := diag.Code(args[0], &stderr, err)
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: code}
}

// ExpectRun is CallRun, failing the test unless the result is want.
func ExpectRun(t testing.TB, want Result, run diag.Run, stdin io.Reader, args ...string) {
	t.Helper()
	if r := CallRun(t, run, stdin, args...); r != want {
		t.Errorf("%q:\n got  %+v\n want %+v", args, r, want)
	}
}

// SplitLines splits output into its lines, without their newlines and
// without the empty string after a final newline ("" has no lines).
func SplitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// CountLine counts the lines of text that are exactly line.
func CountLine(text, line string) int {
	n := 0
	for _, l := range strings.Split(text, "\n") {
		if l == line {
			n++
		}
	}
	return n
}

// WriteFile writes a file, creating parent directories, failing the test on error.
func WriteFile(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	// While the file is open for writing, no child may be forked: a child
	// of a parallel test would hold it open until it execs, and executing
	// this file (a run script, a copied binary) would then fail with
	// ETXTBSY (golang.org/issue/22315). Forks take ForkLock for writing.
	syscall.ForkLock.RLock()
	err := os.WriteFile(path, []byte(content), mode)
	syscall.ForkLock.RUnlock()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// PublicDir makes a temporary directory every user may enter, removed at
// cleanup (t.TempDir's are private to root).
func PublicDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "daemontools-public-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
