package diag

import (
	"errors"
	"io"
	"os"
	"sync"
)

// Run is the one entry shape of every command of the suite, after u-root's
// commands: the program's standard streams and arguments (args[0] is the
// program name) in, an error out. A command's main is
//
//	func main() { diag.Main("svc", run) }
//
// and its tests call run directly. A nil error is exit code 0; the exit
// code of any other error is decided in one place, Code.
type Run func(stdin io.Reader, stdout, stderr io.Writer, args []string) error

// ExitError ends a command with Code. Msg, when not empty, is one whole
// diagnostic line (without its newline) that Code prints on stderr; a
// command that printed its own messages returns an ExitError without one.
type ExitError struct {
	Code int
	Msg  string
}

func (e *ExitError) Error() string {
	if e.Msg != "" {
		return e.Msg
	}
	return "exit status " + itoa(e.Code)
}

// Exit returns the error that ends a command with code, printing nothing.
func Exit(code int) error { return &ExitError{Code: code} }

// Failure returns the error that ends a command with code after printing
// "PROG: fatal: " followed by parts.
func (l Logger) Failure(code int, parts ...string) error {
	return &ExitError{Code: code, Msg: l.text("fatal: ", parts)}
}

// UsageError returns the error that ends a command with ExitUsage after
// printing "PROG: usage: " followed by text.
func (l Logger) UsageError(text string) error { return l.UsageExit(ExitUsage, text) }

// UsageExit is UsageError with another exit code: envdir's usage error
// exits 111, as in 0.76.
func (l Logger) UsageExit(code int, text string) error {
	return &ExitError{Code: code, Msg: l.text("usage: ", []string{text})}
}

// Code maps the error a command's run returned to its exit code, printing
// the error's message on stderr: nil is 0; an ExitError is its code, after
// its message if it has one; any other error is a system failure,
// "PROG: fatal: TEXT" with daemontools' error text, and ExitTemporary.
func Code(prog string, stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	if ee := exitErrorOf(err); ee != nil {
		if ee.Msg != "" {
			io.WriteString(stderr, ee.Msg+"\n") //nolint:errcheck // nowhere to report it
		}
		return ee.Code
	}
	Logger{Prog: prog, W: stderr}.Fatal(errstrText(err))
	return ExitTemporary
}

// exitTarget is the target of errors.As in exitErrorOf, allocated once: a
// local variable would escape to the heap, and Code must not allocate for
// an ExitError without a message, which softlimit returns after lowering
// its memory limits below what the Go runtime has mapped.
var (
	exitMu     sync.Mutex
	exitTarget = new(*ExitError)
)

// exitErrorOf is the ExitError in err's chain, or nil.
func exitErrorOf(err error) *ExitError {
	exitMu.Lock()
	defer exitMu.Unlock()
	*exitTarget = nil
	if !errors.As(err, exitTarget) {
		return nil
	}
	return *exitTarget
}

// Main runs run with the process's standard streams and arguments and
// exits with the code Code gives.
func Main(prog string, run Run) {
	os.Exit(Code(prog, os.Stderr, run(os.Stdin, os.Stdout, os.Stderr, os.Args)))
}

// Fd returns the descriptor of r if r is an *os.File, for the commands
// that read their input with raw system calls, as 0.76 does (multilog,
// readproctitle). Unlike File.Fd it leaves the descriptor's blocking mode
// alone.
func Fd(r io.Reader) (int, bool) {
	f, ok := r.(*os.File)
	if !ok {
		return -1, false
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return -1, false
	}
	fd := -1
	if rc.Control(func(d uintptr) { fd = int(d) }) != nil {
		return -1, false
	}
	return fd, true
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
