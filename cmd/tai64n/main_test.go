package main

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

var label = regexp.MustCompile(`(?m)^@4[0-9a-f]{23} `)

func TestRun(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := run(strings.NewReader("ONE\n\nTWO"), &out, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := label.ReplaceAllString(out.String(), "@ "); got != "@ ONE\n@ \n@ TWO" {
		t.Errorf("%q", out.String())
	}
}

// A write error ends run with exit code 111 and no message.
func TestRunWriteError(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	err := run(strings.NewReader("x\n"), failingWriter{}, &stderr, []string{"tai64n"})
	if code := diag.Code("tai64n", &stderr, err); code != 111 || stderr.Len() != 0 {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left") }

// TestSameAsDebian: the same lines, labelled the same way.
func TestSameAsDebian(t *testing.T) {
	t.Parallel()
	inputs := []string{"ONE\nTWO\n", "", "\n\n", "partial", "a\x00\xff\n" + strings.Repeat("x", 100000) + "\nend"}
	check := func(t *testing.T, bin string) []string {
		var outs []string
		for _, in := range inputs {
			r := testutil.Run(t, testutil.Options{Stdin: in}, bin, "ignored", "args")
			outs = append(outs, label.ReplaceAllString(r.Stdout, "@ ")+r.Stderr)
			if r.Code != 0 {
				t.Errorf("exit %d", r.Code)
			}
		}
		return outs
	}
	ours := check(t, testutil.Bin(t, "tai64n"))
	if ours[0] != "@ ONE\n@ TWO\n" || ours[3] != "@ partial" {
		t.Errorf("ours: %q", ours[:4])
	}
	t.Run("debian", func(t *testing.T) {
		theirs := check(t, testutil.Debian(t, "tai64n"))
		for i := range ours {
			if ours[i] != theirs[i] {
				t.Errorf("input %.20q: ours %.60q, Debian's %.60q", inputs[i], ours[i], theirs[i])
			}
		}
	})
}

// TestErrors: a read or write error exits 111 without a message.
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
	check(t, testutil.Bin(t, "tai64n"))
	t.Run("debian", func(t *testing.T) { check(t, testutil.Debian(t, "tai64n")) })
}
