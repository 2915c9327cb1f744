package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// sameAsDebian runs f with our multilog, then in a subtest with Debian's
// (skipped without it), and requires the same result.
func sameAsDebian(t *testing.T, f func(t *testing.T, bin string) string) {
	t.Helper()
	ours := f(t, testutil.Bin(t, "multilog"))
	t.Run("debian", func(t *testing.T) {
		theirs := f(t, testutil.Debian(t, "multilog"))
		if ours != theirs {
			t.Errorf("ours:\n%s\nDebian's:\n%s", ours, theirs)
		}
	})
}

var label = regexp.MustCompile(`@[0-9a-f]{24}`)

// runBin runs bin with args on input in dir; it returns "exit N" and
// stderr with labels replaced by @TAI64N.
func runBin(t *testing.T, dir, input, bin string, args ...string) string {
	t.Helper()
	r := testutil.Run(t, testutil.Options{Dir: dir, Stdin: input}, bin, args...)
	return fmt.Sprintf("exit %d\n%s", r.Code, label.ReplaceAllString(r.Stderr, "@TAI64N"))
}

// listing describes a log directory: names (labels replaced), modes, sizes
// and contents.
func listing(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err.Error()
	}
	var lines []string
	for _, e := range ents {
		fi, _ := e.Info()
		b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		lines = append(lines, fmt.Sprintf("%s %v %d %q", label.ReplaceAllString(e.Name(), "@TAI64N"), fi.Mode(), len(b),
			label.ReplaceAllString(string(b), "@TAI64N")))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestRTS(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name, input string
		args        []string
		setup       func(dir string)
	}{
		{"no actions", "one\ntwo\n", nil, nil},
		{"e", "one\ntwo\n", []string{"e"}, nil},
		{"e partial", "one\ntwo", []string{"e"}, nil},
		{"e e", "one\ntwo\n", []string{"e", "e"}, nil},
		{"deselect", "one\ntwo\n", []string{"-*", "e"}, nil},
		{"reselect", "one\ntwo\n", []string{"-*", "+one", "e"}, nil},
		{"199/200/201", long(199) + "\n" + long(200) + "\n" + long(201) + "\n", []string{"e"}, nil},
		{"t e", "ONE\n\nTWO", []string{"t", "e"}, nil},
		{"t late", "one\n", []string{"e", "t", "tfoo", "elephant", "", "?"}, nil},
		{"view", long(1200) + "\n" + long(999) + "y\n", []string{"-*", "+*y", "e", "+*", "e"}, nil},
		{"bytes", "a\x00b\xff\n\x01\n", []string{"e"}, nil},
		{"status file", "one\ntwo\n", []string{"=st"}, nil},
		{"status long", long(1500) + "\n", []string{"t", "=st"}, nil},
		{"status dir", "one\n", []string{"=."}, nil},
		{"status missing", "one\n", []string{"=no/st"}, nil},
		{"dir missing", "one\n", []string{"./no/log"}, nil},
		{"dir twice", "one\n", []string{"./log", "./log"}, nil},
		{"= before dirs", "one\n", []string{"./log", "=no/st"}, nil},
		{"dir is file", "one\n", []string{"./file"}, nil},
		{"dirs", "keep\ndrop\n" + long(3000) + "\n", []string{"./a", "-drop", "s1", "n1", "./b", "t", "-keep", "./c"}, nil},
		{"long lines", long(10001) + "\n" + long(5000), []string{"s4096", "./log"}, nil},
		{"current is a directory", "one\n", []string{"./log"}, func(dir string) { os.MkdirAll(dir+"/log/current", 0o755) }},
		{"clean restart", "two\n", []string{"./log"}, func(dir string) {
			os.MkdirAll(dir+"/log", 0o700)
			os.WriteFile(dir+"/log/current", []byte("one\n"), 0o744)
			os.WriteFile(dir+"/log/state", []byte("kept"), 0o644)
		}},
		{"unclean restart", "two\n", []string{"./log"}, func(dir string) {
			os.MkdirAll(dir+"/log", 0o700)
			os.WriteFile(dir+"/log/current", []byte("one\n"), 0o644)
			os.WriteFile(dir+"/log/previous", []byte("zero\n"), 0o744)
			os.WriteFile(dir+"/log/state", []byte("dropped"), 0o644)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sameAsDebian(t, func(t *testing.T, bin string) string {
				dir := t.TempDir()
				os.WriteFile(dir+"/file", []byte("x"), 0o644)
				if tc.setup != nil {
					tc.setup(dir)
				}
				out := runBin(t, dir, tc.input, bin, tc.args...)
				for _, f := range []string{"st", "log", "a", "b", "c"} {
					if fi, err := os.Stat(filepath.Join(dir, f)); err == nil {
						if fi.IsDir() {
							out += "\n" + f + ":\n" + listing(t, filepath.Join(dir, f))
						} else {
							b, _ := os.ReadFile(filepath.Join(dir, f))
							out += fmt.Sprintf("\n%s %v %q", f, fi.Mode(), label.ReplaceAllString(string(b), "@TAI64N"))
						}
					}
				}
				return out
			})
		})
	}
}
