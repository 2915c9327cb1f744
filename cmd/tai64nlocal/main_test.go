package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

func TestRun(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(strings.NewReader("x\n"), &out, nil, nil); err != nil || out.String() != "x\n" {
		t.Errorf("%v, %q", err, out.String())
	}
}

// labels makes n lines with labels spread over the years 1900-2100, over
// DST changes and leap seconds, and far into the past and future.
func labels(seed int64, n int) []string {
	r := rand.New(rand.NewSource(seed))
	leaps := []int64{78796800, 94694400, 915148800, 1136073600, 1230768000, 1341100800, 1435708800, 1483228800}
	var out []string
	for i := 0; i < n; i++ {
		var t int64
		switch k := r.Intn(10); {
		case k < 4:
			t = r.Int63n(4102444800)
		case k < 6:
			t = -r.Int63n(2208988800)
		case k < 7:
			t = r.Int63n(2e12) - 1e12
		case k < 8:
			t = r.Int63n(2e17) - 1e17 // beyond ±6.8e16 the year overflows: 0.76 crashes
		default:
			t = leaps[r.Intn(len(leaps))] + r.Int63n(60) - 30
		}
		out = append(out, fmt.Sprintf("@%016x%08x line %d", uint64(t)+1<<62+10, r.Int63n(1e9), i))
	}
	return out
}

// A write error ends run with exit code 111 and no message.
func TestRunWriteError(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	err := run(strings.NewReader("x\n"), failingWriter{}, &stderr, []string{"tai64nlocal"})
	if code := diag.Code("tai64nlocal", &stderr, err); code != 111 || stderr.Len() != 0 {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left") }

// TestSameAsDebian converts the same labels with ours and Debian's in many
// zones. Lines ours leaves unchanged are where 0.76 crashes: each of those
// must crash Debian's, and all others must convert the same.
func TestSameAsDebian(t *testing.T) {
	t.Parallel()
	deb := testutil.Debian(t, "tai64nlocal")
	ours := testutil.Bin(t, "tai64nlocal")
	zones := []string{"unset", "", "UTC", "US/Pacific", "right/US/Pacific", "Europe/Berlin", "right/UTC",
		"Australia/Lord_Howe", "America/St_Johns", ":Asia/Kolkata", "/usr/share/zoneinfo/right/Europe/London",
		"JST-9", "PST8PDT,M3.2.0,M11.1.0", "NZST-12NZDT,M9.5.0,M4.1.0/3", "EST5EDT4,J60/2,300/-1",
		"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", "No/Such/Zone", "JST-9x"}
	for i, tz := range zones {
		t.Run(tz, func(t *testing.T) {
			t.Parallel()
			env := os.Environ()
			if tz != "unset" {
				env = append(env, "TZ="+tz)
			}
			lines := labels(int64(i), 400)
			in := strings.Join(lines, "\n") + "\n"
			got := strings.Split(testutil.Run(t, testutil.Options{Env: env, Stdin: in}, ours).Stdout, "\n")
			var good, bad []string
			var want []string
			for k, l := range lines {
				if got[k] == l {
					bad = append(bad, l)
				} else {
					good = append(good, l)
					want = append(want, got[k])
				}
			}
			r := testutil.Run(t, testutil.Options{Env: env, Stdin: strings.Join(good, "\n") + "\n"}, deb)
			if r.Code != 0 || r.Stdout != strings.Join(want, "\n")+"\n" {
				theirs := strings.Split(r.Stdout, "\n")
				for k := range want {
					if k >= len(theirs) || theirs[k] != want[k] {
						t.Fatalf("exit %d; %s: Debian's %q, ours %q", r.Code, good[k], theirs[min(k, len(theirs)-1)], want[k])
					}
				}
			}
			for _, l := range bad[:min(len(bad), 3)] {
				if r := testutil.Run(t, testutil.Options{Env: env, Stdin: l + "\n"}, deb); r.Code != -1 {
					t.Errorf("%s: Debian's exit %d %q, ours left it unchanged", l, r.Code, r.Stdout)
				}
			}
		})
	}
}

func TestCrashCases(t *testing.T) {
	t.Parallel()
	in := "@4000000037c219bf2ef02e94 before\n@ space\n@zz\n@1 x\n@4000000000000000 short\n@4000000037C219BF2EF02E94 upper\n"
	want := "1999-08-24 04:04:05.787492500 before\n@ space\n@zz\n@1 x\n@4000000000000000 short\n@4000000037C219BF2EF02E94 upper\n"
	env := append(os.Environ(), "TZ=UTC")
	if r := testutil.Run(t, testutil.Options{Env: env, Stdin: in}, testutil.Bin(t, "tai64nlocal")); r.Stdout != want || r.Code != 0 {
		t.Errorf("exit %d %q", r.Code, r.Stdout)
	}
	t.Run("debian", func(t *testing.T) {
		deb := testutil.Debian(t, "tai64nlocal")
		for _, l := range strings.Split(in, "\n")[1:5] {
			if r := testutil.Run(t, testutil.Options{Env: env, Stdin: l + "\n"}, deb); r.Code != -1 {
				t.Errorf("%q: Debian's exit %d, expected a crash", l, r.Code)
			}
		}
	})
}

// TestErrors: a read or write error exits 111 without a message, as
// Debian's does. (A closed stdout cannot be tested: Go's runtime opens
// /dev/null on a closed descriptor 0, 1 or 2 at start-up.)
func TestErrors(t *testing.T) {
	t.Parallel()
	check := func(t *testing.T, bin string) {
		for _, script := range []string{`"$1" >/dev/full`, `"$1" </`} {
			r := testutil.Run(t, testutil.Options{Stdin: "x\n"}, "/bin/sh", "-c", script, "sh", bin)
			if r.Code != 111 || r.Stderr != "" {
				t.Errorf("%s: exit %d %q", script, r.Code, r.Stderr)
			}
		}
	}
	check(t, testutil.Bin(t, "tai64nlocal"))
	t.Run("debian", func(t *testing.T) { check(t, testutil.Debian(t, "tai64nlocal")) })
}
