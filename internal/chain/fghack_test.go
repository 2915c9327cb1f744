package chain_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestFghackUsage(t *testing.T) {
	t.Parallel()
	expect(t, testutil.Options{}, "", "fghack: usage: fghack child\n", 100, "fghack")
	same(t, testutil.Options{}, "fghack")
}

func TestFghackRTS(t *testing.T) {
	t.Parallel()
	expect(t, testutil.Options{}, "hi\n", "", 0, "fghack", "sh", "-c", "echo hi &")
	same(t, testutil.Options{}, "fghack", "sh", "-c", "echo hi &")
}

func TestFghackExitCodes(t *testing.T) {
	t.Parallel()
	for _, code := range []int{0, 1, 7, 100, 111, 255} {
		expect(t, testutil.Options{}, "", "", code, "fghack", "sh", "-c", "exit "+strconv.Itoa(code))
	}
	expect(t, testutil.Options{}, "", "fghack: fatal: child crashed\n", 111, "fghack", "sh", "-c", "kill -9 $$")
	same(t, testutil.Options{}, "fghack", "sh", "-c", "kill -9 $$")
	same(t, testutil.Options{}, "fghack", "sh", "-c", "kill -TERM $$")
	same(t, testutil.Options{}, "fghack", "sh", "-c", "exit 7")
}

// fghack waits until the background process that inherited the pipe exits,
// then exits with its direct child's code. The direct child stays a zombie
// meanwhile: fghack reads the pipe before it waits.
func TestFghackWaitsForBackground(t *testing.T) {
	t.Parallel()
	r, w := pipe(t)
	p := testutil.Start(t, testutil.Options{StdinF: r}, testutil.Bin(t, "fghack"), "sh", "-c", "exec 4<&0; cat <&4 >/dev/null 2>&1 & echo started; exit 7")
	r.Close()
	testutil.Eventually(t, 10*time.Second, "fghack's child to exit", func() (bool, string) {
		kids := procfs.Children(p.Pid())
		if len(kids) != 1 || p.Stdout.String() != "started\n" {
			return false, fmt.Sprintf("children %v, stdout %q", kids, p.Stdout.String())
		}
		return !procfs.Alive(kids[0]), "child still running"
	})
	if p.Exited() {
		t.Fatal("fghack exited while a background process holds the pipe")
	}
	w.Close() // the background cat gets end of file and exits
	if code := p.Wait(t, 10*time.Second); code != 7 {
		t.Errorf("fghack exited %d, want the child's 7", code)
	}
}

// listFds makes find print the child's descriptors and what they are:
// "3p" for a pipe, "5f" for a regular file, "0c" for a device; find's own
// directory descriptors ("d") come last.
var listFds = []string{"find", "/proc/self/fd", "-mindepth", "1", "-printf", "%f%Y "}

// The child gets the pipe's write end 31 times, on the lowest descriptors
// 0.76 would give it around the ones fghack inherited, and keeps every
// inherited descriptor.
func TestFghackDescriptors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// fghack inherits descriptors 4, 7 and 40 (ExtraFiles start at 3).
	files := make([]*os.File, 38)
	files[1], files[4], files[37] = f, f, f
	for _, o := range []testutil.Options{{Dir: dir}, {Dir: dir, Files: files}} {
		r := same(t, o, "fghack", listFds...)
		if n := strings.Count(r.Stdout, "p "); n < 31 || r.Code != 0 {
			t.Errorf("%d pipe descriptors, want at least 31: %+v", n, r)
		}
		if o.Files != nil && (!strings.Contains(r.Stdout, " 4f ") || !strings.Contains(r.Stdout, " 40f ")) {
			t.Errorf("inherited descriptors lost: %s", r.Stdout)
		}
	}
}

// Deviation: the Go runtime opens /dev/null on a standard descriptor that
// is closed at start-up, so with stdin closed the child has /dev/null as fd
// 0 and the pipe from 3 up (0.76 would put a pipe copy on fd 0).
func TestFghackClosedStdin(t *testing.T) {
	t.Parallel()
	r := testutil.Run(t, testutil.Options{}, "/bin/sh", append([]string{"-c", `exec <&-; exec "$@"`, "sh", testutil.Bin(t, "fghack")}, listFds...)...)
	if !strings.HasPrefix(r.Stdout, "0c 1") || strings.Count(r.Stdout, "p ") < 31 {
		t.Errorf("stdin closed: %+v", r)
	}
}

func TestFghackExecFailures(t *testing.T) {
	t.Parallel()
	execFailures(t, "fghack", nil)
}
