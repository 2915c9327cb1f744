package svscanboot

import (
	"path/filepath"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

// Run directly: a scanned directory that does not exist is named, 111.
// (Its success path, which starts svscan and readproctitle found through
// PATH next to svscanboot's own file, is tested through the binary in
// cmd/svscanboot.)
func TestRunMissingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	testutil.ExpectRun(t, testutil.Result{Stderr: "svscanboot: fatal: unable to open " + dir + ": file does not exist\n", Code: 111},
		Run, nil, "svscanboot", dir)
	testutil.ExpectRun(t, testutil.Result{Stderr: "svscanboot: fatal: unable to open " + dir + ": file does not exist\n", Code: 111},
		Run, nil, "svscanboot", "-C", dir)
}
