package lean

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/pathexec"
)

// RunsSibling reports whether the program name, looked up through env's
// PATH as exec would find it, is the file of that name next to this
// program's own: a parent may then hand it ChildEnv, knowing that the
// child strips what ChildEnv adds. Another program of that name (Debian's
// supervise, say) would pass the variables on to its own children.
func RunsSibling(name string, env []string) bool {
	self, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return false
	}
	return findsSibling(self, name, env)
}

func findsSibling(self, name string, env []string) bool {
	var found string
	pathexec.Search(name, env, func(path string) error { //nolint:errcheck // found says it all
		var st unix.Stat_t
		if err := unix.Stat(path, &st); err != nil {
			return err
		}
		if st.Mode&unix.S_IFMT != unix.S_IFREG {
			return unix.EACCES
		}
		if err := unix.Access(path, unix.X_OK); err != nil {
			return err
		}
		found = path
		return nil
	})
	// A relative PATH element would be resolved from the child's working
	// directory, not this one: not trusted.
	if !filepath.IsAbs(found) {
		return false
	}
	a, err1 := os.Stat(found)
	b, err2 := os.Stat(filepath.Join(filepath.Dir(self), name))
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}
