package testutil

import (
	"os"
	"testing"
	"time"
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
		if !Alive(child) {
			t.Fatal("sleep not running")
		}
	})
	Eventually(t, 5*time.Second, "grandchild killed", func() (bool, string) {
		KillChildren() // reaps the orphan, which was re-parented to us
		return !Alive(child), "still alive"
	})
}

func TestRunResult(t *testing.T) {
	r := Run(t, Options{Stdin: "in"}, "sh", "-c", "cat; echo err >&2; exit 3")
	if r.Stdout != "in" || r.Stderr != "err\n" || r.Code != 3 {
		t.Errorf("Run = %+v", r)
	}
}

func TestDescendants(t *testing.T) {
	p := Start(t, Options{}, "sh", "-c", "sleep 60 & sleep 60 & wait")
	Eventually(t, 5*time.Second, "two grandchildren", func() (bool, string) {
		return len(Descendants(p.Pid())) == 2, ""
	})
	if PPid(os.Getpid()) <= 0 {
		t.Error("PPid of self")
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
