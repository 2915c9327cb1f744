package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// svok's exit codes and messages, against Debian's.
func TestMatchesDebian(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	os.Mkdir(filepath.Join(parent, "never"), 0o755)
	svtest.MakeFIFOs(t, filepath.Join(parent, "dead"))
	svtest.NewFake(t, filepath.Join(parent, "running"))
	os.MkdirAll(filepath.Join(parent, "okdir/supervise/ok"), 0o755)
	testutil.WriteFile(t, filepath.Join(parent, "file"), "", 0o644)
	for _, c := range []struct {
		args []string
		code int
	}{
		{nil, 100},
		{[]string{"running"}, 0},
		{[]string{"running", "never", "extra"}, 0},
		{[]string{"never"}, 100},
		{[]string{"dead"}, 100},
		{[]string{"okdir"}, 111},
		{[]string{"file"}, 111},
		{[]string{"nonexistent", "running"}, 111},
		{[]string{"-x"}, 111},
	} {
		var res [2]testutil.Result
		for i, bin := range []string{testutil.Bin(t, "svok"), testutil.Debian(t, "svok")} {
			res[i] = testutil.Run(t, testutil.Options{Dir: parent}, bin, c.args...)
		}
		if res[0] != res[1] || res[0].Code != c.code {
			t.Errorf("svok %q: ours %+v, debian %+v", c.args, res[0], res[1])
		}
	}
}
