package main

import (
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/proctitle"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// writable is s in fresh memory, which run may overwrite (it writes into
// its last argument, the process title when main calls it).
func writable(s string) string { return string([]byte(s)) }

// readproctitle has no message: a missing or too short last argument is
// exit code 100, silently.
func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{{"readproctitle"}, {"readproctitle", writable("....")}} {
		testutil.ExpectRun(t, testutil.Result{Code: 100}, run, nil, args...)
	}
}

func TestRunKeepsTail(t *testing.T) {
	last := writable(strings.Repeat("x", 11))
	testutil.ExpectRun(t, testutil.Result{}, run, strings.NewReader("hel\x00lo"), "readproctitle", "service", "errors:", last)
	if got := string(proctitle.ArgBytes(last)); got != "......hello" {
		t.Errorf("title %q, want \"......hello\"", got)
	}
}
