package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// title feeds input to bin with args through a pipe left open, waits
// until its last argument shows the bytes expected, then closes the pipe
// and returns the exit code.
func title(t *testing.T, bin string, args []string, input, want string) int {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := testutil.Start(t, testutil.Options{StdinF: r}, bin, args...)
	r.Close()
	if _, err := w.WriteString(input); err != nil {
		t.Fatal(err)
	}
	testutil.Eventually(t, 10*time.Second, "the title", func() (bool, string) {
		got := procfs.Cmdline(p.Pid())
		return len(got) == len(args)+1 && got[len(got)-1] == want && strings.Join(got[1:len(got)-1], " ") == strings.Join(args[:len(args)-1], " "),
			strings.Join(got, "|")
	})
	w.Close()
	return p.Wait(t, 10*time.Second)
}

func TestTitle(t *testing.T) {
	t.Parallel()
	bins := []string{testutil.Bin(t, "readproctitle")}
	if _, err := os.Stat(testutil.DebianDir + "/readproctitle"); err == nil {
		bins = append(bins, testutil.DebianDir+"/readproctitle")
	}
	dots := strings.Repeat(".", 20)
	for _, c := range []struct {
		name, input, last, want string
	}{
		{"spec example", "fatal error xyz\nwarning abc\n", dots, "... xyz\nwarning abc\n"},
		{"nothing yet", "", dots, dots},
		{"NUL bytes skipped", "a\x00b\x00\x00c", "abcdefgh", ".....abc"},
		{"longer than the window", strings.Repeat("0123456789", 5), "xxxxxxxxxx", "...3456789"},
		{"shortest", "hello", ".....", "...lo"},
	} {
		for _, bin := range bins {
			args := []string{"service", "errors:", c.last}
			if code := title(t, bin, args, c.input, c.want); code != 0 {
				t.Errorf("%s %s: exit %d at EOF, want 0", bin, c.name, code)
			}
		}
	}
}

// TestBadUsage: no argument, or a last argument under 5 bytes: exit 100
// silently; a read error: exit 111 silently.
func TestBadUsage(t *testing.T) {
	t.Parallel()
	bins := []string{testutil.Bin(t, "readproctitle")}
	if _, err := os.Stat(testutil.DebianDir + "/readproctitle"); err == nil {
		bins = append(bins, testutil.DebianDir+"/readproctitle")
	}
	dir, err := os.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer dir.Close()
	for _, bin := range bins {
		for _, c := range []struct {
			args  []string
			stdin *os.File
			code  int
		}{
			{nil, nil, 100},
			{[]string{"...."}, nil, 100},
			{[]string{"long", "x"}, nil, 100},
			{[]string{"....."}, dir, 111}, // read(2) on a directory: EISDIR
		} {
			r := testutil.Run(t, testutil.Options{StdinF: c.stdin}, bin, c.args...)
			if r.Code != c.code || r.Stdout != "" || r.Stderr != "" {
				t.Errorf("%s %q: code %d, output %q %q; want %d and silence", bin, c.args, r.Code, r.Stdout, r.Stderr, c.code)
			}
		}
	}
}
