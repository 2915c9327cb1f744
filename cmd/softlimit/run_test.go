package main

import (
	"strconv"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/pathexec"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

const usageLine = "softlimit: usage: " + usage + "\n"

func TestRunUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		want testutil.Result
	}{
		{[]string{"softlimit", "-c", "0"}, testutil.Result{Stderr: usageLine, Code: 100}},
		{[]string{"softlimit", "-z", "child"}, testutil.Result{Stderr: "softlimit: illegal option -- z\n" + usageLine, Code: 100}},
	} {
		testutil.ExpectRun(t, c.want, run, nil, c.args...)
	}
}

// catchExec replaces the exec for the test with a stand-in returning
// errno (0: the exec happened); it counts the calls.
func catchExec(t *testing.T, errno unix.Errno) *int {
	calls := new(int)
	saved := execPrepared
	execPrepared = func(*pathexec.Prepared) unix.Errno { *calls++; return errno }
	t.Cleanup(func() { execPrepared = saved })
	return calls
}

// The soft core limit, set to what it is, changes nothing in this test
// process; the exec then happens.
func TestRunSetsLimitThenExecs(t *testing.T) {
	var before unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &before); err != nil {
		t.Fatal(err)
	}
	value := "="
	if before.Cur != before.Max {
		value = strconv.FormatUint(before.Cur, 10)
	}
	calls := catchExec(t, 0)
	if r := testutil.CallRun(t, run, nil, "softlimit", "-c", value, "child"); r != (testutil.Result{}) || *calls != 1 {
		t.Fatalf("got %+v, %d execs", r, *calls)
	}
	var after unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_CORE, &after); err != nil || after != before {
		t.Errorf("core limit %+v, was %+v (%v)", after, before, err)
	}
	calls = catchExec(t, unix.ENOENT)
	want := testutil.Result{Stderr: "softlimit: fatal: unable to run child: file does not exist\n", Code: 111}
	if r := testutil.CallRun(t, run, nil, "softlimit", "-c", value, "child"); r != want || *calls != 1 {
		t.Errorf("failed exec: got %+v, %d execs, want %+v", r, *calls, want)
	}
}
