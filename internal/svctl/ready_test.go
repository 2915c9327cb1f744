package svctl

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// Real daemons with readiness under our supervise (issue 11): a shell
// service that writes a newline to fd 3 a second after it starts; svctl
// up waits for it, svctl wait ready too, and svctl restart -w 5 on a
// service that takes 2 s to be ready returns once the new instance is.
func TestReadinessReal(t *testing.T) {
	t.Parallel()
	im := impls[0] // ours: Debian's supervise knows no readiness
	parent := t.TempDir()
	run := "#!/bin/sh\nsleep SECS\necho ready >&3\nexec sleep 1000\n"
	one := filepath.Join(parent, "one")
	testutil.WriteFile(t, filepath.Join(one, "notification-fd"), "3\n", 0o644)
	testutil.WriteFile(t, filepath.Join(one, "down"), "", 0o644)
	service(t, im, parent, "one", replaceSecs(run, "1"), true)
	two := filepath.Join(parent, "two")
	testutil.WriteFile(t, filepath.Join(two, "notification-fd"), "3\n", 0o644)
	s2, _ := service(t, im, parent, "two", replaceSecs(run, "2"), false)

	begin := time.Now()
	r := svctl(t, parent, "up", "-w", "5", "one")
	took := time.Since(begin)
	if r.Code != 0 || took < 900*time.Millisecond {
		t.Errorf("up: %+v after %v (ready comes after 1 s)", r, took)
	}
	if p := svstate.Probe(one); !p.Doc.Ready {
		t.Errorf("up returned before ready: %+v", p.Doc)
	}
	if r := svctl(t, parent, "wait", "-t", "5", "ready", "two"); r.Code != 0 {
		t.Fatalf("wait ready: %+v", r)
	}
	before := s2.Status(t)
	begin = time.Now()
	r = svctl(t, parent, "restart", "-w", "5", "two")
	took = time.Since(begin)
	p := svstate.Probe(two)
	if r.Code != 0 || took < 1900*time.Millisecond || !p.Doc.Ready || p.Doc.Pid == int(before.Pid) {
		t.Errorf("restart: %+v after %v; now %+v (before pid %d)", r, took, p.Doc, before.Pid)
	}
	// A restart that cannot be ready in time: exit 1, named.
	r = svctl(t, parent, "restart", "-w", "0.5", "two")
	if r.Code != 1 {
		t.Errorf("restart -w 0.5: %+v", r)
	}
}

func replaceSecs(s, secs string) string { return strings.ReplaceAll(s, "SECS", secs) }
