package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

const sleeper = "#!/bin/sh\nexec sleep 1000\n"

// Start-up failures end supervise with a message and an exit code; both
// must be Debian's, byte for byte.
func TestStartupFailuresMatchDebian(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, parent string)
		args  []string
	}{
		{"no argument", nil, nil},
		{"two arguments", nil, []string{"a", "b"}},
		{"missing directory", nil, []string{"nonexistent"}},
		{"file", func(t *testing.T, p string) { testutil.WriteFile(t, filepath.Join(p, "f"), "", 0o644) }, []string{"f"}},
		{"dangling symlink", func(t *testing.T, p string) { os.Symlink("nowhere", filepath.Join(p, "l")) }, []string{"l"}},
		{"dash operand", nil, []string{"-x"}},
		{"readlink overflow", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.Symlink(strings.Repeat("a", 300), filepath.Join(p, "s", "supervise"))
		}, []string{"s"}},
		{"supervise is a file", func(t *testing.T, p string) {
			mkService(t, p, "s")
			testutil.WriteFile(t, filepath.Join(p, "s", "supervise"), "", 0o644)
		}, []string{"s"}},
		{"symlink loop", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.Symlink("supervise", filepath.Join(p, "s", "supervise"))
		}, []string{"s"}},
		{"control is a directory", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.MkdirAll(filepath.Join(p, "s", "supervise", "control"), 0o700)
		}, []string{"s"}},
		{"ok is a dangling symlink", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.MkdirAll(filepath.Join(p, "s", "supervise"), 0o700)
			os.Symlink("nowhere/ok", filepath.Join(p, "s", "supervise", "ok"))
		}, []string{"s"}},
		{"down is a symlink loop", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.Symlink("down", filepath.Join(p, "s", "down"))
		}, []string{"s"}},
		{"control is a dangling symlink", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.MkdirAll(filepath.Join(p, "s", "supervise"), 0o700)
			os.Symlink("nowhere/control", filepath.Join(p, "s", "supervise", "control"))
		}, []string{"s"}},
		{"lock is a directory", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.MkdirAll(filepath.Join(p, "s", "supervise", "lock"), 0o700)
		}, []string{"s"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dt := debian(t)
			var got [2]testutil.Result
			for i, bin := range []string{ours(t).supervise, dt.supervise} {
				parent := t.TempDir()
				if c.setup != nil {
					c.setup(t, parent)
				}
				got[i] = testutil.Run(t, testutil.Options{Dir: parent, Env: env()}, bin, c.args...)
			}
			if got[0] != got[1] {
				t.Errorf("ours %+v\ndebian %+v", got[0], got[1])
			}
			if got[0].Code != 100 && got[0].Code != 111 {
				t.Errorf("exit code %d", got[0].Code)
			}
		})
	}
}

func mkService(t *testing.T, parent, name string) string {
	dir := filepath.Join(parent, name)
	testutil.WriteFile(t, filepath.Join(dir, "run"), sleeper, 0o755)
	return dir
}

// A run that cannot be executed: supervise keeps running and says so once
// a second, in Debian's words.
func TestBadRunMatchesDebian(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"missing", func(t *testing.T, dir string) {}},
		{"not executable", func(t *testing.T, dir string) { testutil.WriteFile(t, filepath.Join(dir, "run"), sleeper, 0o644) }},
		{"no #!", func(t *testing.T, dir string) {
			testutil.WriteFile(t, filepath.Join(dir, "run"), "exec sleep 1000\n", 0o755)
		}},
		{"directory", func(t *testing.T, dir string) { os.Mkdir(filepath.Join(dir, "run"), 0o755) }},
		{"dangling symlink", func(t *testing.T, dir string) { os.Symlink("nowhere", filepath.Join(dir, "run")) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var lines [2][]string
			for i, im := range []impl{ours(t), debian(t)} {
				s := svtest.NewService(t, "s", "")
				c.setup(t, s.Dir)
				p := s.Start(t, im.supervise, env()...)
				testutil.Eventually(t, svtest.Deadline, "two failures", func() (bool, string) {
					return len(testutil.SplitLines(p.Stderr.String())) >= 2, p.Stderr.String()
				})
				if p.Exited() {
					t.Fatalf("%s supervise exited", im.name)
				}
				lines[i] = testutil.SplitLines(p.Stderr.String())[:2]
				// It still obeys: svc -dx ends it.
				s.Control(t, "dx")
				if code := p.Wait(t, svtest.Deadline); code != 0 {
					t.Errorf("%s: exit %d after dx", im.name, code)
				}
			}
			if strings.Join(lines[0], "\n") != strings.Join(lines[1], "\n") {
				t.Errorf("ours %q\ndebian %q", lines[0], lines[1])
			}
			if !strings.HasPrefix(lines[0][0], "supervise: fatal: unable to start s/run: ") {
				t.Errorf("message %q", lines[0][0])
			}
		})
	}
}

// A second supervise on the same directory is refused, whichever of the
// two implementations holds the lock (both use flock).
func TestSecondSupervise(t *testing.T) {
	t.Parallel()
	for _, first := range []string{"ours", "debian"} {
		for _, second := range []string{"ours", "debian"} {
			t.Run(first+" then "+second, func(t *testing.T) {
				t.Parallel()
				pick := func(n string) impl {
					if n == "ours" {
						return ours(t)
					}
					return debian(t)
				}
				s := svtest.NewService(t, "s", sleeper)
				p := s.Start(t, pick(first).supervise, env()...)
				r := testutil.Run(t, testutil.Options{Dir: s.Parent, Env: env()}, pick(second).supervise, "s")
				want := "supervise: fatal: unable to acquire s/supervise/lock: temporary failure\n"
				if r.Code != 111 || r.Stderr != want || r.Stdout != "" {
					t.Errorf("second supervise: %+v", r)
				}
				if p.Exited() {
					t.Error("first supervise died")
				}
			})
		}
	}
}

// The supervise directory and its files get Debian's modes; a dangling
// supervise symlink gets its target created (Debian's patch).
func TestFilesAndModes(t *testing.T) {
	eachImpl(t, func(t *testing.T, im impl) {
		s := svtest.NewService(t, "s", sleeper)
		target := filepath.Join(s.Parent, "elsewhere")
		if err := os.Symlink(target, s.Path("supervise")); err != nil {
			t.Fatal(err)
		}
		p := s.Start(t, im.supervise, env()...)
		s.WaitUp(t, 0)
		want := map[string]os.FileMode{
			"":        os.ModeDir | 0o700,
			"lock":    0o600,
			"control": os.ModeNamedPipe | 0o600,
			"ok":      os.ModeNamedPipe | 0o600,
			"status":  0o644,
		}
		for name, mode := range want {
			fi, err := os.Stat(filepath.Join(target, name))
			if err != nil {
				t.Error(err)
				continue
			}
			if fi.Mode() != mode {
				t.Errorf("%s: mode %v, want %v", name, fi.Mode(), mode)
			}
		}
		if _, err := os.Lstat(filepath.Join(target, "status.new")); err == nil {
			t.Error("status.new left behind")
		}
		s.Control(t, "dx")
		p.Wait(t, svtest.Deadline)
	})
}

// Status writes that fail are warned about, once per write, in Debian's
// words, and supervise carries on.
func TestStatusWriteWarnings(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, path string
	}{
		{"status.new is a directory", "supervise/status.new/x"},
		{"status is a directory", "supervise/status/x"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var lines [2][]string
			for i, im := range []impl{ours(t), debian(t)} {
				s := svtest.NewService(t, "s", sleeper)
				os.MkdirAll(s.Path(c.path), 0o700)
				p := s.Start(t, im.supervise, env()...)
				// start-up, the start, entering the loop: three writes.
				testutil.Eventually(t, svtest.Deadline, "three warnings", func() (bool, string) {
					return len(testutil.SplitLines(p.Stderr.String())) >= 3, p.Stderr.String()
				})
				s.Control(t, "dx")
				p.Wait(t, svtest.Deadline)
				lines[i] = testutil.SplitLines(p.Stderr.String())
				// and d, x, the service's exit, the last one before exiting.
				if n := len(lines[i]); n != 7 {
					t.Errorf("%s: %d warnings, want 7: %q", im.name, n, lines[i])
				}
			}
			if strings.Join(lines[0], "\n") != strings.Join(lines[1], "\n") {
				t.Errorf("ours %q\ndebian %q", lines[0], lines[1])
			}
		})
	}
}
