package main

import (
	"flag"
	"net"
	"os"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

// TestMain raises the default parallelism: these tests mostly wait out
// supervise's one-second pauses, so many can run on a few CPUs.
func TestMain(m *testing.M) {
	if msg := os.Getenv("SVTEST_NOTIFY"); msg != "" {
		os.Exit(sendNotify(msg))
	}
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", "12")
	}
	testutil.Main(m)
}

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
	t.Parallel()
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

// sendNotify is the test binary as a daemon built for systemd's
// Type=notify: it sends msg to $NOTIFY_SOCKET, as sd_notify(3) does.
func sendNotify(msg string) int {
	name := os.Getenv("NOTIFY_SOCKET")
	if name == "" {
		return 2
	}
	if name[0] == '@' {
		name = "\x00" + name[1:]
	}
	c, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	defer c.Close()
	if _, err := c.Write([]byte(msg)); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}
