package chain_test

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestSetuidgidUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"nobody"}} {
		expect(t, testutil.Options{}, "", "setuidgid: usage: setuidgid account child\n", 100, "setuidgid", args...)
		same(t, testutil.Options{}, "setuidgid", args...)
	}
}

func TestSetuidgidUnknownAccount(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"nosuchuser", "", "+", "-nobody", "nobody:x", "root "} {
		expect(t, testutil.Options{}, "", "setuidgid: fatal: unknown account "+name+"\n", 111, "setuidgid", name, "true")
	}
	for _, name := range []string{"nosuchuser", "", "nobody:x"} {
		same(t, testutil.Options{}, "setuidgid", name, "true")
	}
}

// statusIDs returns the Uid, Gid and Groups lines of /proc/self/status.
func statusIDs(status string) string {
	var keep []string
	for _, l := range strings.Split(status, "\n") {
		if strings.HasPrefix(l, "Uid:") || strings.HasPrefix(l, "Gid:") || strings.HasPrefix(l, "Groups:") {
			keep = append(keep, strings.Join(strings.Fields(l), " "))
		}
	}
	return strings.Join(keep, "\n")
}

// The child runs with every uid and gid (real, effective, saved, file
// system) set to the account's, and the primary group as its only group,
// whatever groups setuidgid itself had.
func TestSetuidgidChildIDs(t *testing.T) {
	t.Parallel()
	testutil.RequireRoot(t)
	cmd := exec.Command(testutil.Bin(t, "setuidgid"), "nobody", "cat", "/proc/self/status")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 0, Gid: 0, Groups: []uint32{1, 2, 3, 4}}}
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "Uid: 65534 65534 65534 65534\nGid: 65534 65534 65534 65534\nGroups: 65534"
	if got := statusIDs(string(out)); got != want {
		t.Errorf("child ids:\n%s\nwant:\n%s", got, want)
	}
	uid, gid := accountIDs(t, "daemon")
	r := testutil.Run(t, testutil.Options{}, testutil.Bin(t, "setuidgid"), "daemon", "cat", "/proc/self/status")
	want = "Uid: " + strings.Repeat(uid+" ", 3) + uid + "\nGid: " + strings.Repeat(gid+" ", 3) + gid + "\nGroups: " + gid
	if got := statusIDs(r.Stdout); got != want {
		t.Errorf("setuidgid daemon: %q, want %q", got, want)
	}
}

func TestSetuidgidSameAs076(t *testing.T) {
	t.Parallel()
	testutil.RequireRoot(t)
	// §12's example; id names the groups from /etc/group itself.
	r := same(t, testutil.Options{}, "setuidgid", "nobody", "id")
	if r.Code != 0 || !strings.HasPrefix(r.Stdout, "uid=65534(nobody) gid=65534(") {
		t.Errorf("setuidgid nobody id: %+v", r)
	}
	// Environment and working directory are untouched.
	dir := t.TempDir()
	o := testutil.Options{Dir: dir, Env: []string{"HOME=/root", "USER=root", "PATH=/usr/bin:/bin", "A=1"}}
	same(t, o, "setuidgid", "nobody", "sh", "-c", "pwd; env | sort")
}

// Without privileges setgroups fails: the gid step is reported.
func TestSetuidgidNotPermitted(t *testing.T) {
	t.Parallel()
	testutil.RequireRoot(t)
	ours, theirs := worldBin(t, "setuidgid"), testutil.Debian(t, "setuidgid")
	for _, prog := range []string{ours, theirs} {
		r := testutil.Run(t, testutil.Options{}, theirs, "nobody", prog, "root", "true")
		if r.Code != 111 || r.Stderr != "setuidgid: fatal: unable to setgid: permission denied\n" {
			t.Errorf("%s as nobody: %+v", prog, r)
		}
	}
}

// With CAP_SETGID but not CAP_SETUID, the uid step is the one that fails,
// and the child is not run.
func TestSetuidgidSetuidFails(t *testing.T) {
	t.Parallel()
	testutil.RequireRoot(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		t.Skip("requires setpriv (util-linux)")
	}
	marker := t.TempDir() + "/ran"
	for _, prog := range []string{testutil.Bin(t, "setuidgid"), testutil.Debian(t, "setuidgid")} {
		r := testutil.Run(t, testutil.Options{}, setpriv, "--bounding-set", "-setuid", prog, "nobody", "touch", marker)
		if r.Code != 111 || r.Stderr != "setuidgid: fatal: unable to setuid: permission denied\n" {
			t.Errorf("%s without CAP_SETUID: %+v", prog, r)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("%s ran the child", prog)
		}
	}
}

func TestSetuidgidExecFailures(t *testing.T) {
	t.Parallel()
	testutil.RequireRoot(t)
	execFailures(t, "setuidgid", nil, "root")
}
