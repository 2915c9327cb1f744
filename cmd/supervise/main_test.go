package main

import (
	"flag"
	"net"
	"os"
	"testing"

	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// TestMain raises the default parallelism: these tests mostly wait out
// supervise's one-second pauses, so many can run on a few CPUs.
func TestMain(m *testing.M) {
	if msg := os.Getenv("SVTEST_NOTIFY"); msg != "" {
		code := sendNotify(msg)
		if code == 0 && os.Getenv("SVTEST_NOTIFY_HOLD") != "" {
			// Alive until killed: a sender that has exited is believed.
			os.Stdout.WriteString("sent\n")
			select {}
		}
		os.Exit(code)
	}
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		flag.Set("test.parallel", "12")
	}
	testutil.Main(m)
}

// eachMode runs f as parallel subtests, one for each mode of supervision
// (svtest.AllModes): our supervise, Debian's (skipped when Debian's
// daemontools is not installed), and svscan -C.
func eachMode(t *testing.T, f func(t *testing.T, m svtest.Mode)) { forModes(t, svtest.AllModes, f) }

// eachOurMode is eachMode for the modes that run our code (svtest.OurModes):
// the tests of the extensions, which Debian's supervise does not have.
func eachOurMode(t *testing.T, f func(t *testing.T, m svtest.Mode)) { forModes(t, svtest.OurModes, f) }

func forModes(t *testing.T, names []string, f func(t *testing.T, m svtest.Mode)) {
	t.Parallel()
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f(t, svtest.GetMode(t, name))
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
