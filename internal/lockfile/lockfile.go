// Package lockfile opens and locks a file the way setlock does: opened for
// append (created 0600, never truncated, non-blocking), then locked with
// flock(2) — a BSD lock on the whole open file, not an fcntl record lock.
//
// The descriptor is not close-on-exec, so a program exec'd afterwards
// inherits it, and the lock lasts until every process sharing that open
// file has closed it or exited.
package lockfile

import "golang.org/x/sys/unix"

// OpenAppend opens path with O_WRONLY|O_APPEND|O_CREAT|O_NONBLOCK, mode 0600
// (filtered by the umask), without close-on-exec.
func OpenAppend(path string) (int, error) {
	for {
		fd, err := unix.Open(path, unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_NONBLOCK, 0o600)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// Lock takes an exclusive flock on fd; if wait is false it fails at once
// (EWOULDBLOCK, "temporary failure") when another open file holds the lock.
func Lock(fd int, wait bool) error {
	how := unix.LOCK_EX
	if !wait {
		how |= unix.LOCK_NB
	}
	for {
		if err := unix.Flock(fd, how); err != unix.EINTR {
			return err
		}
	}
}
