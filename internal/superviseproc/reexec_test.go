package superviseproc

import (
	"strings"
	"testing"
)

func TestLookupWithout(t *testing.T) {
	env := []string{"A=1", "GOGC=off", "AB=2", "GOMAXPROCS=1", "A=3", "X", ReexecVar + "=GOGC,GOMAXPROCS"}
	for _, c := range []struct {
		name, val string
		ok        bool
	}{{"A", "1", true}, {"AB", "2", true}, {"B", "", false}, {"X", "", false}, {ReexecVar, "GOGC,GOMAXPROCS", true}} {
		if v, ok := lookup(env, c.name); v != c.val || ok != c.ok {
			t.Errorf("lookup %s = %q %v", c.name, v, ok)
		}
	}
	got := without(env, []string{ReexecVar, "GOGC", "GOMAXPROCS", "A"})
	if strings.Join(got, " ") != "AB=2 X" {
		t.Errorf("without: %q", got)
	}
	if len(env) != 7 || env[0] != "A=1" {
		t.Errorf("without changed its input: %q", env)
	}
}
