package main

import (
	"os"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// impl is one daemontools implementation: ours or Debian's.
type impl struct {
	name                         string
	supervise, svc, svstat, svok string
}

func ours(t testing.TB) impl {
	return impl{"ours", testutil.Bin(t, "supervise"), testutil.Bin(t, "svc"), testutil.Bin(t, "svstat"), testutil.Bin(t, "svok")}
}

// debian returns Debian's binaries or skips the test.
func debian(t testing.TB) impl {
	return impl{"debian", testutil.Debian(t, "supervise"), testutil.Debian(t, "svc"), testutil.Debian(t, "svstat"), testutil.Debian(t, "svok")}
}

// eachImpl runs f as parallel subtests for our supervise and Debian's (the
// latter skipped when Debian's daemontools is not installed).
func eachImpl(t *testing.T, f func(t *testing.T, im impl)) {
	for _, name := range []string{"ours", "debian"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if name == "ours" {
				f(t, ours(t))
			} else {
				f(t, debian(t))
			}
		})
	}
}

// env is the environment services get in these tests: svscanboot's.
func env() []string { return []string{"PATH=" + os.Getenv("PATH")} }
