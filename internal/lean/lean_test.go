package lean

import (
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestLookupWithout(t *testing.T) {
	env := []string{"A=1", "GOGC=off", "AB=2", "GOMAXPROCS=1", "A=3", "X", Var + "=GOGC,GOMAXPROCS"}
	for _, c := range []struct {
		name, val string
		ok        bool
	}{{"A", "1", true}, {"AB", "2", true}, {"B", "", false}, {"X", "", false}, {Var, "GOGC,GOMAXPROCS", true}} {
		if v, ok := Lookup(env, c.name); v != c.val || ok != c.ok {
			t.Errorf("lookup %s = %q %v", c.name, v, ok)
		}
	}
	got := Without(env, []string{Var, "GOGC", "GOMAXPROCS", "A"})
	if strings.Join(got, " ") != "AB=2 X" {
		t.Errorf("without: %q", got)
	}
	if len(env) != 7 || env[0] != "A=1" {
		t.Errorf("without changed its input: %q", env)
	}
}

// ChildEnv adds what env lacks and names exactly that in Var, so that the
// child's Prepare gives its own children env back unchanged.
func TestChildEnvRoundTrip(t *testing.T) {
	env := []string{"PATH=/bin", "GOGC=50"}
	child := ChildEnv(env, []string{"GOMAXPROCS=1", "GOGC=off", "GOMEMLIMIT=64MiB"})
	want := "PATH=/bin GOGC=50 GOMAXPROCS=1 GOMEMLIMIT=64MiB " + Var + "=GOMAXPROCS,GOMEMLIMIT"
	if got := strings.Join(child, " "); got != want {
		t.Errorf("ChildEnv = %q, want %q", got, want)
	}
	added, _ := Lookup(child, Var)
	if got := strings.Join(Without(child, dropped(added)), " "); got != "PATH=/bin GOGC=50" {
		t.Errorf("back: %q", got)
	}
	if got := ChildEnv(child[:2], nil); strings.Join(got, " ") != "PATH=/bin GOGC=50 "+Var+"=" {
		t.Errorf("no tuning: %q", got)
	}
}

// helperVar makes the test binary act as a program that calls Prepare: it
// prints "run" each time it starts (twice when it re-executes itself), then
// what Prepare returned and the state the runtime started with.
const helperVar = "LEAN_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperVar) != "" {
		fmt.Println("run")
		env, clean := Prepare(os.Args, "lean.test", []string{"GOMAXPROCS=1"})
		status, _ := os.ReadFile("/proc/self/status")
		ign := ""
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "SigIgn:") {
				ign = strings.TrimSpace(l[len("SigIgn:"):])
			}
		}
		fmt.Printf("clean=%v procs=%d ign=%s env=%s\n", clean, runtime.GOMAXPROCS(0), ign, strings.Join(env, " "))
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func helper(t *testing.T, env []string, shell string) []string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self)
	if shell != "" {
		cmd = exec.Command("/bin/sh", "-c", shell+`; exec "$0"`, self)
	}
	cmd.Env = env
	cmd.Dir = "/"
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return strings.Split(strings.TrimSpace(string(out)), "\n")
}

// A program started plainly re-executes itself once, with its tuning in
// force, SIGINT no longer ignored, and its children's environment as its own.
func TestPrepareReexecutes(t *testing.T) {
	env := []string{helperVar + "=1", "PATH=/bin", "PWD=/"}
	lines := helper(t, env, `trap "" INT`)
	want := []string{"run", "run", "clean=true procs=1 ign=0000000000000000 env=" + strings.Join(env, " ")}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

// A program started by a clean parent through ChildEnv does not.
func TestPrepareTrustsChildEnv(t *testing.T) {
	env := []string{helperVar + "=1", "PATH=/bin", "PWD=/"}
	lines := helper(t, ChildEnv(env, []string{"GOMAXPROCS=1"}), "")
	// The test binary is no clean parent (go test may run with SIGINT
	// ignored, and so the helper too): only the rest is compared.
	if len(lines) == 2 {
		lines[1] = regexp.MustCompile(`ign=[0-9a-f]+ `).ReplaceAllString(lines[1], "")
	}
	want := []string{"run", "clean=true procs=1 env=" + strings.Join(env, " ")}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
