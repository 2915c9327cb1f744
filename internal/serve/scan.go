package serve

import (
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/errstr"
)

// MaxServices bounds the services a pass reads, over all scan
// directories: what svscan has been run with (10,000 logged services).
// More are left out, and the scan directory says so.
const MaxServices = 10000

// service is a service found in a scan directory.
type service struct {
	name  string // the directory's name; its path if the name was taken (see label)
	dir   string // the scan directory joined with the entry's name
	root  int    // the index of its scan directory
	entry string // its name there
}

// scanResult is what scanning one scan directory gave.
type scanResult struct {
	Dir   string `json:"dir"`
	Error string `json:"error,omitempty"`
}

// scan finds the services of the scan directories dirs as svscan does:
// every entry whose name does not start with '.' that is a directory or a
// symbolic link to one (an entry the directory lists as a directory is
// not stat'ed again). A name seen in an earlier scan directory is named by
// its path. Services are sorted by name within each directory. Whether a
// service has a logger is for the probe to find (probeAll).
func scan(dirs []string) ([]service, []scanResult) {
	var all []service
	results := make([]scanResult, len(dirs))
	seen := make(map[string]bool)
	for i, root := range dirs {
		results[i].Dir = root
		ents, err := readDir(root)
		if err != nil {
			results[i].Error = "unable to read directory: " + errstr.Text(err)
		}
		slices.SortFunc(ents, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
		left := 0
		for _, e := range ents {
			name := e.Name()
			if name == "" || name[0] == '.' {
				continue
			}
			dir := join(root, name)
			switch e.Type() {
			case fs.ModeDir:
			case fs.ModeSymlink:
				var st unix.Stat_t
				if unix.Stat(dir, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
					continue
				}
			default:
				continue
			}
			if len(all) >= MaxServices {
				left++
				continue
			}
			all = append(all, service{name: label(seen, name, dir), dir: dir, root: i, entry: name})
		}
		if left > 0 && results[i].Error == "" {
			results[i].Error = strconv.Itoa(left) + " services left out: at most " + strconv.Itoa(MaxServices) + " are shown"
		}
	}
	return all, results
}

// label names a service uniquely, in valid UTF-8 (as Prometheus wants
// label values): its name, or its path when the name was taken, and a
// number after it if need be. It records the name in seen.
func label(seen map[string]bool, name, dir string) string {
	l := strings.ToValidUTF8(name, "\uFFFD")
	if seen[l] {
		l = strings.ToValidUTF8(dir, "\uFFFD")
	}
	for n, base := 2, l; seen[l]; n++ {
		l = base + " (" + strconv.Itoa(n) + ")"
	}
	seen[l] = true
	return l
}

// readDir lists a directory with the types getdents gives: every entry,
// or those read before an error.
func readDir(dir string) ([]os.DirEntry, error) {
	// O_DIRECTORY: a FIFO in its place must not block the pass.
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), dir)
	defer f.Close()
	return f.ReadDir(-1)
}

// join joins a directory and a name as svscan's children see them.
func join(dir, name string) string {
	if dir == "" || dir[len(dir)-1] == '/' {
		return dir + name
	}
	return dir + "/" + name
}
