package procfs

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Pids lists every process in /proc.
func Pids() []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			out = append(out, pid)
		}
	}
	return out
}

// Children returns the processes whose parent is ppid, zombies included
// (a child that has exited and is not yet reaped).
func Children(ppid int) []int {
	return children(ppid, true)
}

// LiveChildren returns the live (non-zombie) processes whose parent is ppid.
func LiveChildren(ppid int) []int {
	return children(ppid, false)
}

func children(ppid int, zombies bool) []int {
	var out []int
	for _, pid := range Pids() {
		if st, err := ReadStat(pid); err == nil && st.PPid == ppid && (zombies || st.State != 'Z') {
			out = append(out, pid)
		}
	}
	return out
}

// LiveDescendants returns every live process below pid, from one pass over
// /proc.
func LiveDescendants(pid int) []int {
	kids := map[int][]int{}
	for _, p := range Pids() {
		if st, err := ReadStat(p); err == nil && st.State != 'Z' {
			kids[st.PPid] = append(kids[st.PPid], p)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		k := kids[queue[0]]
		queue = append(queue[1:], k...)
		out = append(out, k...)
	}
	return out
}

// Alive reports whether pid exists and is not a zombie.
func Alive(pid int) bool {
	st, err := ReadStat(pid)
	return err == nil && st.State != 'Z'
}

// Gone reports whether pid has been reaped. A killed process shows as a
// zombie (not Alive) as soon as its main thread has exited, while its
// other threads may still hold its descriptors and their locks; once it
// is reaped, they have all been released.
func Gone(pid int) bool {
	_, err := ReadStat(pid)
	return errors.Is(err, fs.ErrNotExist)
}

// Under lists the live processes other than this one whose working
// directory or command line lies under root: everything a benchmark started
// in root, also the processes that have been re-parented.
func Under(root string) []int {
	self := os.Getpid()
	var out []int
	for _, pid := range Pids() {
		if pid == self || !Alive(pid) {
			continue
		}
		if BelongsTo(Cwd(pid), rawCmdline(pid), root) {
			out = append(out, pid)
		}
	}
	return out
}

// BelongsTo reports whether a process with working directory cwd and
// command line cmdline (NUL-separated) belongs to root.
func BelongsTo(cwd, cmdline, root string) bool {
	root = strings.TrimSuffix(root, "/")
	if cwd == root || strings.HasPrefix(cwd, root+"/") {
		return true
	}
	return strings.Contains(cmdline, root+"/") || strings.HasSuffix(cmdline, root) ||
		strings.Contains(cmdline, root+"\x00")
}

// Cwd returns the working directory of pid ("" when it is gone).
func Cwd(pid int) string {
	s, _ := os.Readlink(path(pid, "cwd"))
	return s
}

// Cmdline returns the arguments of pid as /proc shows them (nil when it is
// gone or a zombie).
func Cmdline(pid int) []string {
	b := rawCmdline(pid)
	if b == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(b, "\x00"), "\x00")
}

// rawCmdline is /proc/PID/cmdline: the arguments, each ended by a NUL.
func rawCmdline(pid int) string {
	b, _ := os.ReadFile(path(pid, "cmdline"))
	return string(b)
}
