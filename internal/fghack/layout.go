// Package fghack runs a program that puts itself in the background and
// waits for it anyway: the program gets 31 copies of the write end of a
// pipe, which its background children inherit, and fghack reads the pipe
// until every copy is closed, then waits for the program and takes its exit
// code.
package fghack

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Copies is how many descriptors of the pipe's write end the child holds:
// the pipe's own and 30 dups.
const Copies = 31

// ChildFiles lays out the child's descriptors as 0.76 does with pipe, fork,
// close and dup: the pipe takes the two lowest descriptors free in the
// parent (read end, then write end); the child closes the read end and dups
// the write end 30 times, each onto the lowest free descriptor. inherited
// lists the descriptors open (without close-on-exec) when fghack started.
//
// The result is a ProcAttr.Files table: entry i is the descriptor the child
// gets as i, w (our write end) for a pipe copy, i itself for an inherited
// descriptor, and -1 for a descriptor the child does not have. It reaches
// past every inherited descriptor, so that ForkExec's shuffling of
// descriptors never lands on one.
func ChildFiles(inherited []int, w int) []int {
	taken := map[int]bool{}
	for _, fd := range inherited {
		taken[fd] = true
	}
	lowestFree := func(from int) int {
		for taken[from] {
			from++
		}
		return from
	}
	read := lowestFree(0)
	write := lowestFree(read + 1)
	taken[write] = true
	copies := []int{write}
	for fd := 0; len(copies) < Copies; fd++ {
		fd = lowestFree(fd)
		taken[fd] = true
		copies = append(copies, fd)
	}
	n := write + 1
	for _, fd := range append(copies, inherited...) {
		n = max(n, fd+1)
	}
	files := make([]int, n)
	for i := range files {
		files[i] = -1
	}
	for _, fd := range inherited {
		files[fd] = fd
	}
	for _, fd := range copies {
		files[fd] = w
	}
	return files
}

// Inherited lists the descriptors this process holds without close-on-exec:
// those it was started with (the Go runtime opens its own close-on-exec).
func Inherited() []int {
	var fds []int
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		// No /proc: probe every descriptor the limit allows, up to a bound.
		var lim unix.Rlimit
		unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) //nolint:errcheck
		for fd := 0; uint64(fd) < min(lim.Cur, 1<<16); fd++ {
			if inherits(fd) {
				fds = append(fds, fd)
			}
		}
		return fds
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err == nil && inherits(fd) {
			fds = append(fds, fd)
		}
	}
	return fds
}

// inherits reports whether fd is open and not close-on-exec.
func inherits(fd int) bool {
	flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil && flags&unix.FD_CLOEXEC == 0
}
