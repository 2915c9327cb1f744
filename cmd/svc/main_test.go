package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/getopt"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// setup builds the directories the cases use in parent: never (supervise
// never ran), dead (supervise died), running (a fake supervise reads), file.
func setup(t *testing.T, parent string) (fake *svtest.Fake) {
	os.Mkdir(filepath.Join(parent, "never"), 0o755)
	svtest.MakeFIFOs(t, filepath.Join(parent, "dead"))
	testutil.WriteFile(t, filepath.Join(parent, "file"), "", 0o644)
	return svtest.NewFake(t, filepath.Join(parent, "running"))
}

// svc's messages, exit codes and the bytes it writes, against Debian's.
func TestMatchesDebian(t *testing.T) {
	t.Parallel()
	cases := [][]string{
		{},
		{"-z"},
		{"-u", "-Z", "running"},
		{"running"},
		{"-u", "never"},
		{"-u", "nonexistent", "running"},
		{"-dx", "file"},
		{"-ddu", "-t", "-tk", "-x", "--", "-h", "running"},
		{"-pchaitkxudo", "running"},
		{"-", "running"},
		{"-u", "-", "running"},
		{"-up", "running", "running", "never"},
		{"-hq", "running"},
		{"-u", "dead"},
	}
	for _, args := range cases {
		t.Run(strings.Join(append([]string{"svc"}, args...), " "), func(t *testing.T) {
			t.Parallel()
			var res [2]testutil.Result
			var written [2]string
			for i, bin := range []string{testutil.Bin(t, "svc"), testutil.Debian(t, "svc")} {
				parent := t.TempDir()
				fake := setup(t, parent)
				res[i] = testutil.Run(t, testutil.Options{Dir: parent}, bin, args...)
				written[i] = fake.Commands()
			}
			if res[0] != res[1] || written[0] != written[1] {
				t.Errorf("ours %+v wrote %q\ndebian %+v wrote %q", res[0], written[0], res[1], written[1])
			}
		})
	}
}

// Letters are sent in order of first appearance, repeats dropped.
func TestCommands(t *testing.T) {
	for _, c := range []struct{ args, want string }{
		{"-ddu -t -tk -x", "dutkx"},
		{"-xxxx", "x"},
		{"-udopchaitkx", "udopchaitkx"},
		{"-kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk -u", "ku"},
		{"", ""},
	} {
		var opts []getopt.Opt
		for _, a := range strings.Fields(c.args) {
			o, _, err := getopt.Parse([]string{a}, letters)
			if err != nil {
				t.Fatal(err)
			}
			opts = append(opts, o...)
		}
		if got := string(commands(opts)); got != c.want {
			t.Errorf("%s: %q, want %q", c.args, got, c.want)
		}
	}
}

// The program name in getopt complaints is argv[0]'s last element.
func TestProgramName(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	link := filepath.Join(dir, "mysvc")
	if err := os.Symlink(testutil.Bin(t, "svc"), link); err != nil {
		t.Fatal(err)
	}
	r := testutil.Run(t, testutil.Options{Dir: dir}, link, "-y")
	want := "mysvc: illegal option -- y\n" + usage
	if r.Code != 100 || r.Stderr != want {
		t.Errorf("%+v", r)
	}
}

// In a working directory it cannot open, svc gives up at once.
func TestUnreadableCwd(t *testing.T) {
	t.Parallel()
	testutil.RequireRoot(t)
	dir := filepath.Join(testutil.PublicDir(t), "locked")
	os.Mkdir(dir, 0o711)
	var res [2]testutil.Result
	for i, bin := range []string{testutil.Bin(t, "svc"), testutil.Debian(t, "svc")} {
		res[i] = svtest.RunAs(t, 65534, 65534, dir, bin, "-u", "x")
	}
	want := "svc: fatal: unable to open current directory: access denied\n"
	if res[0] != res[1] || res[0].Stderr != want || res[0].Code != 111 {
		t.Errorf("ours %+v\ndebian %+v", res[0], res[1])
	}
}
