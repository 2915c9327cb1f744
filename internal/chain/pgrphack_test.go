package chain_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestPgrphackUsage(t *testing.T) {
	t.Parallel()
	expect(t, testutil.Options{}, "", "pgrphack: usage: pgrphack child\n", 100, "pgrphack")
	same(t, testutil.Options{}, "pgrphack")
}

// statIDs reads pid, process group and session from /proc/PID/stat as printed
// by `cat /proc/self/stat`.
func statIDs(t *testing.T, stat string) (pid, pgrp, sid int) {
	t.Helper()
	f := strings.Fields(stat[strings.LastIndexByte(stat, ')')+1:])
	if len(f) < 4 {
		t.Fatalf("bad stat line %q", stat)
	}
	pid, _ = strconv.Atoi(strings.Fields(stat)[0])
	pgrp, _ = strconv.Atoi(f[2])
	sid, _ = strconv.Atoi(f[3])
	return pid, pgrp, sid
}

// Started by a shell (which leads the process group), pgrphack is no group
// leader, so setsid works: the child leads a new session and group.
func TestPgrphackNewSession(t *testing.T) {
	t.Parallel()
	r := testutil.Run(t, testutil.Options{}, "/bin/sh", "-c", testutil.Bin(t, "pgrphack")+" cat /proc/self/stat; :")
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("code %d, stderr %q", r.Code, r.Stderr)
	}
	pid, pgrp, sid := statIDs(t, r.Stdout)
	if pid != pgrp || pid != sid {
		t.Errorf("child pid %d, pgrp %d, session %d: want all equal", pid, pgrp, sid)
	}
}

// A process-group leader cannot setsid; the failure is ignored and the
// child still runs, in the old session.
func TestPgrphackLeaderIgnoresFailure(t *testing.T) {
	t.Parallel()
	r := testutil.Run(t, testutil.Options{}, testutil.Bin(t, "pgrphack"), "cat", "/proc/self/stat")
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("code %d, stderr %q", r.Code, r.Stderr)
	}
	pid, pgrp, sid := statIDs(t, r.Stdout)
	if pid != pgrp || pid == sid {
		t.Errorf("child pid %d, pgrp %d, session %d: want pid = pgrp (testutil's group), old session", pid, pgrp, sid)
	}
}

// The same observations, made by a shell child, compared with 0.76.
func TestPgrphackSameAs076(t *testing.T) {
	t.Parallel()
	check := `set -- $(cat /proc/$$/stat); echo "pid=pgrp:$([ $1 = $5 ] && echo y) pid=sid:$([ $1 = $6 ] && echo y) args:$0"`
	for via, want := range map[string]string{
		"%s sh -c '" + check + "' x; :":   "pid=pgrp:y pid=sid:y args:x\n", // not a group leader: new session
		"exec %s sh -c '" + check + "' x": "pid=pgrp:y pid=sid: args:x\n",  // the shell's group leader: setsid fails
	} {
		theirs := testutil.Run(t, testutil.Options{}, "/bin/sh", "-c", strings.Replace(via, "%s", testutil.Debian(t, "pgrphack"), 1))
		ours := testutil.Run(t, testutil.Options{}, "/bin/sh", "-c", strings.Replace(via, "%s", testutil.Bin(t, "pgrphack"), 1))
		if ours != theirs || ours.Stdout != want {
			t.Errorf("%s: ours %+v, 0.76 %+v, want stdout %q", via, ours, theirs, want)
		}
	}
}

func TestPgrphackExecFailures(t *testing.T) {
	t.Parallel()
	execFailures(t, "pgrphack", nil)
}
