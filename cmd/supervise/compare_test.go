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
// must be Debian's, byte for byte. svscan -C gives the same message as a
// warning with its own prefix, goes on without the service and tries again
// at its next scan.
func TestStartupFailuresMatchDebian(t *testing.T) {
	t.Parallel()
	// cmdline: the case is about supervise's command line, which svscan -C
	// does not have.
	cases := []struct {
		name    string
		setup   func(t *testing.T, parent string)
		args    []string
		cmdline bool
	}{
		{"no argument", nil, nil, true},
		{"two arguments", nil, []string{"a", "b"}, true},
		{"missing directory", nil, []string{"nonexistent"}, true},
		{"file", func(t *testing.T, p string) { testutil.WriteFile(t, filepath.Join(p, "f"), "", 0o644) }, []string{"f"}, true},
		{"dangling symlink", func(t *testing.T, p string) { os.Symlink("nowhere", filepath.Join(p, "l")) }, []string{"l"}, true},
		{"dash operand", nil, []string{"-x"}, true},
		{"readlink overflow", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.Symlink(strings.Repeat("a", 300), filepath.Join(p, "s", "supervise"))
		}, []string{"s"}, false},
		{"supervise is a file", func(t *testing.T, p string) {
			mkService(t, p, "s")
			testutil.WriteFile(t, filepath.Join(p, "s", "supervise"), "", 0o644)
		}, []string{"s"}, false},
		{"symlink loop", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.Symlink("supervise", filepath.Join(p, "s", "supervise"))
		}, []string{"s"}, false},
		{"control is a directory", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.MkdirAll(filepath.Join(p, "s", "supervise", "control"), 0o700)
		}, []string{"s"}, false},
		{"ok is a dangling symlink", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.MkdirAll(filepath.Join(p, "s", "supervise"), 0o700)
			os.Symlink("nowhere/ok", filepath.Join(p, "s", "supervise", "ok"))
		}, []string{"s"}, false},
		{"down is a symlink loop", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.Symlink("down", filepath.Join(p, "s", "down"))
		}, []string{"s"}, false},
		{"control is a dangling symlink", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.MkdirAll(filepath.Join(p, "s", "supervise"), 0o700)
			os.Symlink("nowhere/control", filepath.Join(p, "s", "supervise", "control"))
		}, []string{"s"}, false},
		{"lock is a directory", func(t *testing.T, p string) {
			mkService(t, p, "s")
			os.MkdirAll(filepath.Join(p, "s", "supervise", "lock"), 0o700)
		}, []string{"s"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dt := svtest.GetMode(t, svtest.Debian)
			prepare := func() string {
				parent := t.TempDir()
				if c.setup != nil {
					c.setup(t, parent)
				}
				return parent
			}
			ref := testutil.Run(t, testutil.Options{Dir: prepare(), Env: env()}, dt.Supervise, c.args...)
			if ref.Code != 100 && ref.Code != 111 {
				t.Errorf("debian's exit code %d", ref.Code)
			}
			for _, name := range []string{svtest.Ours, svtest.Consolidated} {
				t.Run(name, func(t *testing.T) {
					m := svtest.GetMode(t, name)
					if c.cmdline {
						m.NotApplicable(t, "the case is about supervise's command line; svscan supervises the directories it finds")
					}
					got := m.Refuse(t, prepare(), env(), c.args...)
					if want := m.Refusal(ref); got != want {
						t.Errorf("%s %+v\nwant  %+v (debian %+v)", name, got, want, ref)
					}
				})
			}
		})
	}
}

// sameAsDebian checks that every mode printed the lines Debian's
// supervise printed, in its own words (svtest.Mode.Diag).
func sameAsDebian(t *testing.T, lines map[string][]string) {
	t.Helper()
	ref := lines[svtest.Debian]
	for name, got := range lines {
		var want []string
		for _, l := range ref {
			want = append(want, svtest.GetMode(t, name).Diag(l))
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s %q\nwant %q (debian %q)", name, got, want, ref)
		}
	}
}

func mkService(t *testing.T, parent, name string) string {
	dir := filepath.Join(parent, name)
	testutil.WriteFile(t, filepath.Join(dir, "run"), sleeper, 0o755)
	return dir
}

// A run that cannot be executed: the supervision goes on and says so once
// a second, in Debian's words (under svscan -C, with svscan's prefix and as
// a warning).
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
			lines := map[string][]string{}
			for _, name := range svtest.AllModes {
				m := svtest.GetMode(t, name)
				s := svtest.NewService(t, "s", "")
				c.setup(t, s.Dir)
				sv := m.Start(t, s, env()...)
				testutil.Eventually(t, svtest.Deadline, "two failures", func() (bool, string) {
					return len(testutil.SplitLines(sv.Stderr())) >= 2, sv.Stderr()
				})
				if sv.Ended() {
					t.Fatalf("%s: the supervision ended", name)
				}
				lines[name] = testutil.SplitLines(sv.Stderr())[:2]
				// It still obeys: svc -dx ends it.
				s.Control(t, "dx")
				if code := sv.WaitEnded(t); code != 0 {
					t.Errorf("%s: exit %d after dx", name, code)
				}
			}
			sameAsDebian(t, lines)
			if ref := lines[svtest.Debian]; !strings.HasPrefix(ref[0], "supervise: fatal: unable to start s/run: ") {
				t.Errorf("message %q", ref[0])
			}
		})
	}
}

// A second supervise on the same directory is refused, whichever of the
// two implementations holds the lock (both use flock); so is a supervise
// started by hand on a directory that svscan -C supervises, and svscan -C
// warns about a directory that a supervise holds, and tries again at its
// next scan. (A second svscan -C on the same directory stops at svscan's
// own lock: cmd/svscan's tests.)
func TestSecondSupervise(t *testing.T) {
	t.Parallel()
	for _, first := range svtest.AllModes {
		for _, second := range svtest.AllModes {
			if first == svtest.Consolidated && second == svtest.Consolidated {
				continue
			}
			t.Run(first+" then "+second, func(t *testing.T) {
				t.Parallel()
				s := svtest.NewService(t, "s", sleeper)
				sv := svtest.GetMode(t, first).Start(t, s, env()...)
				m := svtest.GetMode(t, second)
				got := m.Refuse(t, s.Parent, env(), "s")
				want := m.Refusal(testutil.Result{Stderr: "supervise: fatal: unable to acquire s/supervise/lock: temporary failure\n", Code: 111})
				if got != want {
					t.Errorf("second supervision: %+v\nwant %+v", got, want)
				}
				if sv.Ended() {
					t.Error("the first supervision ended")
				}
			})
		}
	}
}

// The supervise directory and its files get Debian's modes; a dangling
// supervise symlink gets its target created (Debian's patch).
func TestFilesAndModes(t *testing.T) {
	eachMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", sleeper)
		target := filepath.Join(s.Parent, "elsewhere")
		if err := os.Symlink(target, s.Path("supervise")); err != nil {
			t.Fatal(err)
		}
		sv := m.Start(t, s, env()...)
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
		sv.WaitEnded(t)
	})
}

// Status writes that fail are warned about, once per write, in Debian's
// words (with svscan's prefix under svscan -C), and the supervision
// carries on.
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
			lines := map[string][]string{}
			for _, name := range svtest.AllModes {
				m := svtest.GetMode(t, name)
				s := svtest.NewService(t, "s", sleeper)
				os.MkdirAll(s.Path(c.path), 0o700)
				sv := m.Start(t, s, env()...)
				// start-up, the start, entering the loop: three writes.
				testutil.Eventually(t, svtest.Deadline, "three warnings", func() (bool, string) {
					return len(testutil.SplitLines(sv.Stderr())) >= 3, sv.Stderr()
				})
				s.Control(t, "dx")
				sv.WaitEnded(t)
				lines[name] = testutil.SplitLines(sv.Stderr())
				// and d, x, the service's exit, the last one before exiting.
				if n := len(lines[name]); n != 7 {
					t.Errorf("%s: %d warnings, want 7: %q", name, n, lines[name])
				}
			}
			sameAsDebian(t, lines)
		})
	}
}
