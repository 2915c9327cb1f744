package chain_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestEnvuidgidUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{}, {"root"}} {
		expect(t, testutil.Options{}, "", "envuidgid: usage: envuidgid account child\n", 100, "envuidgid", args...)
		same(t, testutil.Options{}, "envuidgid", args...)
	}
}

func TestEnvuidgidUnknownAccount(t *testing.T) {
	t.Parallel()
	expect(t, testutil.Options{}, "", "envuidgid: fatal: unknown account nosuch\n", 111, "envuidgid", "nosuch", "env")
	same(t, testutil.Options{}, "envuidgid", "nosuch", "env")
}

// GID then UID are edited in: an existing entry is removed (the last entry
// moving into its place) and the new one appended.
func TestEnvuidgidEnvironment(t *testing.T) {
	t.Parallel()
	o := testutil.Options{Env: []string{"A=1", "UID=x", "B=2", "GID=y", "C=3", "PATH=/usr/bin:/bin"}}
	// Remove GID=y (PATH moves in), append GID; remove UID=x (GID=65534 moves in), append UID.
	want := "A=1\nGID=65534\nB=2\nPATH=/usr/bin:/bin\nC=3\nUID=65534\n"
	expect(t, o, want, "", 0, "envuidgid", "nobody", "env")
	same(t, o, "envuidgid", "nobody", "env")
	o.Env = []string{"PATH=/usr/bin:/bin"}
	uid, gid := accountIDs(t, "daemon")
	expect(t, o, "PATH=/usr/bin:/bin\nGID="+gid+"\nUID="+uid+"\n", "", 0, "envuidgid", "daemon", "env")
	// §22.1: envuidgid root printenv UID.
	expect(t, o, "0\n", "", 0, "envuidgid", "root", "printenv", "UID")
	same(t, o, "envuidgid", "root", "printenv", "UID")
}

// envuidgid changes no ids of its own.
func TestEnvuidgidKeepsIDs(t *testing.T) {
	t.Parallel()
	want := fmt.Sprintf("%d\n%d\n", os.Getuid(), os.Getgid())
	expect(t, testutil.Options{}, want, "", 0, "envuidgid", "nobody", "sh", "-c", "id -u; id -g")
	same(t, testutil.Options{}, "envuidgid", "nobody", "sh", "-c", "id -u; id -g")
}

func TestEnvuidgidExecFailures(t *testing.T) {
	t.Parallel()
	execFailures(t, "envuidgid", nil, "root")
}
