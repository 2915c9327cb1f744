package main

import (
	"testing"

	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// Each side's svc, svstat and svok drive and read the other side's
// supervise, and svscan -C, and both svstats print the same lines (pids
// and seconds aside).
func TestInteroperability(t *testing.T) {
	t.Parallel()
	for _, sup := range svtest.AllModes {
		for _, cli := range []string{svtest.Ours, svtest.Debian} {
			t.Run("supervise="+sup+"/tools="+cli, func(t *testing.T) {
				t.Parallel()
				o, d := svtest.GetMode(t, svtest.Ours), svtest.GetMode(t, svtest.Debian)
				S, C := svtest.GetMode(t, sup), svtest.GetMode(t, cli)
				s := svtest.NewService(t, "s", sleeper)
				p := S.Start(t, s, env()...)
				run := func(bin string, args ...string) testutil.Result {
					return testutil.Run(t, testutil.Options{Dir: s.Parent}, bin, args...)
				}
				svc := func(args ...string) {
					t.Helper()
					if r := run(C.Svc, append(args, "s")...); r.Code != 0 || r.Stderr != "" || r.Stdout != "" {
						t.Fatalf("svc %v: %+v", args, r)
					}
				}
				// both svstats must print want for the directory.
				svstat := func(want string) {
					t.Helper()
					for _, bin := range []string{o.Svstat, d.Svstat} {
						r := run(bin, "s")
						if got := svtest.Normalize(r.Stdout); got != "s: "+want+"\n" || r.Code != 0 || r.Stderr != "" {
							t.Errorf("%s: %q (code %d, stderr %q), want %q", bin, got, r.Code, r.Stderr, want)
						}
					}
				}
				svok := func(want int) {
					t.Helper()
					for _, bin := range []string{o.Svok, d.Svok} {
						if r := run(bin, "s"); r.Code != want || r.Stderr != "" {
							t.Errorf("%s: %+v, want code %d", bin, r, want)
						}
					}
				}
				up := s.WaitUp(t, 0)
				svok(0)
				svstat("up (pid N) N seconds")

				svc("-p")
				s.WaitStatus(t, "paused", func(st status.Status) bool { return st.Paused })
				svstat("up (pid N) N seconds, paused")
				svc("-c")
				s.WaitStatus(t, "continued", func(st status.Status) bool { return !st.Paused })
				svc("-o")
				s.WaitStatus(t, "once", func(st status.Status) bool { return st.Want == status.WantOnce })
				svstat("up (pid N) N seconds")
				svc("-d")
				s.WaitDown(t)
				svstat("down N seconds, normally up")
				testutil.WriteFile(t, s.Path("down"), "", 0o644)
				svstat("down N seconds")
				svc("-u")
				s.WaitUp(t, up.Pid)
				svstat("up (pid N) N seconds, normally down")
				svc("-dx")
				if code := p.WaitEnded(t); code != 0 {
					t.Errorf("supervise exit %d", code)
				}
				svok(100)
				svstat("supervise not running")
				for _, bin := range []string{o.Svc, d.Svc} {
					r := run(bin, "-u", "s")
					if r.Stderr != "svc: warning: unable to control s: supervise not running\n" || r.Code != 0 {
						t.Errorf("%s: %+v", bin, r)
					}
				}
			})
		}
	}
}
