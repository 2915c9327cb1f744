package testutil

import (
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/procfs"
)

func TestStartKillsGroupAtCleanup(t *testing.T) {
	var child int
	t.Run("inner", func(t *testing.T) {
		p := Start(t, Options{}, "sh", "-c", "sleep 60 & echo $!; wait")
		Eventually(t, 5*time.Second, "child pid", func() (bool, string) {
			return len(p.Stdout.String()) > 0, p.Stdout.String()
		})
		var err error
		if child, err = atoi(p.Stdout.String()); err != nil {
			t.Fatal(err)
		}
		if !procfs.Alive(child) {
			t.Fatal("sleep not running")
		}
	})
	Eventually(t, 5*time.Second, "grandchild killed", func() (bool, string) {
		KillChildren() // reaps the orphan, which was re-parented to us
		return !procfs.Alive(child), "still alive"
	})
}

func TestRunResult(t *testing.T) {
	r := Run(t, Options{Stdin: "in"}, "sh", "-c", "cat; echo err >&2; exit 3")
	if r.Stdout != "in" || r.Stderr != "err\n" || r.Code != 3 {
		t.Errorf("Run = %+v", r)
	}
}

func TestLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a"}},
		{"a\n\nb\n", []string{"a", "", "b"}},
	} {
		if got := SplitLines(c.in); !slices.Equal(got, c.want) {
			t.Errorf("SplitLines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if n := CountLine("x\nxy\nx\n\nx", "x"); n != 3 {
		t.Errorf("CountLine = %d, want 3", n)
	}
}

// The program started from a bad parent inherits SIGHUP and SIGINT
// ignored and SIGUSR1 blocked, and an environment without the marker.
// (cat, not a shell: dash unblocks every signal when it starts.)
func TestStartFromBadParent(t *testing.T) {
	p := StartFromBadParent(t, Options{Env: []string{"KEEP=1"}}, "/bin/cat", "/proc/self/status", "/proc/self/environ")
	if code := p.Wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit %d, stderr %q", code, p.Stderr.String())
	}
	mask := map[string]uint64{}
	var env []string
	for _, l := range strings.FieldsFunc(p.Stdout.String(), func(r rune) bool { return r == '\n' || r == 0 }) {
		if k, v, ok := strings.Cut(l, ":\t"); ok && strings.HasPrefix(k, "Sig") {
			mask[k], _ = strconv.ParseUint(v, 16, 64)
		}
		if strings.Contains(l, "=") {
			env = append(env, l)
		}
	}
	hup, intr, usr1 := uint64(1)<<(syscall.SIGHUP-1), uint64(1)<<(syscall.SIGINT-1), uint64(1)<<(syscall.SIGUSR1-1)
	if mask["SigIgn"]&(hup|intr) != hup|intr || mask["SigBlk"]&usr1 == 0 {
		t.Errorf("SigIgn %x, SigBlk %x: want HUP and INT ignored, USR1 blocked", mask["SigIgn"], mask["SigBlk"])
	}
	if !slices.Equal(env, []string{"KEEP=1"}) {
		t.Errorf("environment %q, want KEEP=1 only", env)
	}
}

func TestCallRun(t *testing.T) {
	run := func(stdin io.Reader, stdout, stderr io.Writer, args []string) error {
		in, _ := io.ReadAll(stdin)
		io.WriteString(stdout, string(in)+strings.Join(args, " "))
		return diag.Logger{Prog: "prog", W: stderr}.Failure(3, "said ", "so")
	}
	if r := CallRun(t, run, strings.NewReader("in "), "prog", "a"); r != (Result{Stdout: "in prog a", Stderr: "prog: fatal: said so\n", Code: 3}) {
		t.Errorf("CallRun = %+v", r)
	}
	ok := func(io.Reader, io.Writer, io.Writer, []string) error { return nil }
	if r := CallRun(t, ok, nil, "prog"); r != (Result{}) {
		t.Errorf("CallRun of a success = %+v", r)
	}
}

func atoi(s string) (int, error) {
	n := 0
	for _, c := range s {
		if c == '\n' {
			break
		}
		if c < '0' || c > '9' {
			return 0, os.ErrInvalid
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

func TestMain(m *testing.M) {
	if spec, ok := os.LookupEnv(badParentVar); ok { // as Main does
		os.Exit(becomeBadParent(spec))
	}
	binDir = "unused" // these tests run no commands of ours
	os.Exit(m.Run())
}
