package testutil

import (
	"os"
	"slices"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/procfs"
)

func TestStartKillsGroupAtCleanup(t *testing.T) {
	var child int
	t.Run("inner", func(t *testing.T) {
		p := Start(t, Options{}, "sh", "-c", "sleep 60 & echo $!; wait")
		Eventually(t, 5*time.Second, "child pid", func() (bool, string) {
			return len(p.Stdout.String()) > 0, p.Stdout.String()
		})
		var err error
		if child, err = atoi(p.Stdout.String()); err != nil {
			t.Fatal(err)
		}
		if !procfs.Alive(child) {
			t.Fatal("sleep not running")
		}
	})
	Eventually(t, 5*time.Second, "grandchild killed", func() (bool, string) {
		KillChildren() // reaps the orphan, which was re-parented to us
		return !procfs.Alive(child), "still alive"
	})
}

func TestRunResult(t *testing.T) {
	r := Run(t, Options{Stdin: "in"}, "sh", "-c", "cat; echo err >&2; exit 3")
	if r.Stdout != "in" || r.Stderr != "err\n" || r.Code != 3 {
		t.Errorf("Run = %+v", r)
	}
}

func TestLines(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"a", []string{"a"}},
		{"a\n", []string{"a"}},
		{"a\n\nb\n", []string{"a", "", "b"}},
	} {
		if got := SplitLines(c.in); !slices.Equal(got, c.want) {
			t.Errorf("SplitLines(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if n := CountLine("x\nxy\nx\n\nx", "x"); n != 3 {
		t.Errorf("CountLine = %d, want 3", n)
	}
}

func atoi(s string) (int, error) {
	n := 0
	for _, c := range s {
		if c == '\n' {
			break
		}
		if c < '0' || c > '9' {
			return 0, os.ErrInvalid
		}
		n = n*10 + int(c-'0')
	}
	return n, nil
}

func TestMain(m *testing.M) {
	binDir = "unused" // these tests run no commands of ours
	os.Exit(m.Run())
}
