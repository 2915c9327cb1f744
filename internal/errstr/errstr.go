// Package errstr turns system errors into the texts daemontools prints.
//
// daemontools 0.76 carries its own errno table (error_str) instead of using
// strerror; its messages end in those texts, so scripts and people reading
// logs see "file does not exist", never "no such file or directory".
package errstr

import (
	"errors"
	"sync"

	"golang.org/x/sys/unix"
)

// table is 0.76's error_str in its original order. Where Linux gives two names
// the same number (EAGAIN and EWOULDBLOCK), the first entry wins, as in C.
var table = []struct {
	errno unix.Errno
	text  string
}{
	{unix.EINTR, "interrupted system call"},
	{unix.ENOMEM, "out of memory"},
	{unix.ENOENT, "file does not exist"},
	{unix.ETXTBSY, "text busy"},
	{unix.EIO, "input/output error"},
	{unix.EEXIST, "file already exists"},
	{unix.ETIMEDOUT, "timed out"},
	{unix.EINPROGRESS, "operation in progress"},
	{unix.EAGAIN, "temporary failure"},
	{unix.EWOULDBLOCK, "temporary failure"},
	{unix.EPIPE, "broken pipe"},
	{unix.EBUSY, "device busy"},
	{unix.EPERM, "permission denied"},
	{unix.EACCES, "access denied"},
	{unix.ENXIO, "device not configured"},
	{unix.EPROTO, "protocol error"},
	{unix.EISDIR, "is a directory"},
	{unix.ECONNREFUSED, "connection refused"},
	{unix.ENOTDIR, "not a directory"},
	{unix.ESRCH, "no such process"},
	{unix.E2BIG, "argument list too long"},
	{unix.ENOEXEC, "exec format error"},
	{unix.EBADF, "file descriptor not open"},
	{unix.ECHILD, "no child processes"},
	{unix.EDEADLK, "operation would cause deadlock"},
	{unix.EFAULT, "bad address"},
	{unix.ENOTBLK, "not a block device"},
	{unix.EXDEV, "cross-device link"},
	{unix.ENODEV, "device does not support operation"},
	{unix.EINVAL, "invalid argument"},
	{unix.ENFILE, "system cannot open more files"},
	{unix.EMFILE, "process cannot open more files"},
	{unix.ENOTTY, "not a tty"},
	{unix.EFBIG, "file too big"},
	{unix.ENOSPC, "out of disk space"},
	{unix.ESPIPE, "unseekable descriptor"},
	{unix.EROFS, "read-only file system"},
	{unix.EMLINK, "too many links"},
	{unix.EDOM, "input out of range"},
	{unix.ERANGE, "output out of range"},
	{unix.EALREADY, "operation already in progress"},
	{unix.ENOTSOCK, "not a socket"},
	{unix.EDESTADDRREQ, "destination address required"},
	{unix.EMSGSIZE, "message too long"},
	{unix.EPROTOTYPE, "incorrect protocol type"},
	{unix.ENOPROTOOPT, "protocol not available"},
	{unix.EPROTONOSUPPORT, "protocol not supported"},
	{unix.ESOCKTNOSUPPORT, "socket type not supported"},
	{unix.EOPNOTSUPP, "operation not supported"},
	{unix.EPFNOSUPPORT, "protocol family not supported"},
	{unix.EAFNOSUPPORT, "address family not supported"},
	{unix.EADDRINUSE, "address already used"},
	{unix.EADDRNOTAVAIL, "address not available"},
	{unix.ENETDOWN, "network down"},
	{unix.ENETUNREACH, "network unreachable"},
	{unix.ENETRESET, "network reset"},
	{unix.ECONNABORTED, "connection aborted"},
	{unix.ECONNRESET, "connection reset"},
	{unix.ENOBUFS, "out of buffer space"},
	{unix.EISCONN, "already connected"},
	{unix.ENOTCONN, "not connected"},
	{unix.ESHUTDOWN, "socket shut down"},
	{unix.ETOOMANYREFS, "too many references"},
	{unix.ELOOP, "symbolic link loop"},
	{unix.ENAMETOOLONG, "file name too long"},
	{unix.EHOSTDOWN, "host down"},
	{unix.EHOSTUNREACH, "host unreachable"},
	{unix.ENOTEMPTY, "directory not empty"},
	{unix.EUSERS, "too many users"},
	{unix.EDQUOT, "disk quota exceeded"},
	{unix.ESTALE, "stale NFS file handle"},
	{unix.EREMOTE, "too many levels of remote in path"},
	{unix.ENOLCK, "no locks available"},
	{unix.ENOSYS, "system call not available"},
	{unix.ENOSTR, "not a stream device"},
	{unix.ETIME, "timer expired"},
	{unix.ENOSR, "out of stream resources"},
	{unix.ENOMSG, "no message of desired type"},
	{unix.EBADMSG, "bad message type"},
	{unix.EIDRM, "identifier removed"},
	{unix.ENONET, "machine not on network"},
	{unix.ENOLINK, "link severed"},
	{unix.EADV, "advertise error"},
	{unix.ESRMNT, "srmount error"},
	{unix.ECOMM, "communication error"},
	{unix.EMULTIHOP, "multihop attempted"},
	{unix.EREMCHG, "remote address changed"},
}

// Errno returns the daemontools text for an errno value: "no error" for 0,
// "unknown error" for a number the table does not hold.
func Errno(e unix.Errno) string {
	if e == 0 {
		return "no error"
	}
	for _, row := range table {
		if row.errno == e {
			return row.text
		}
	}
	return "unknown error"
}

// Text returns the daemontools text for err. It looks through wrappers such as
// *os.PathError and *os.SyscallError for the errno; an error that carries no
// errno prints its own text, and nil prints "no error".
func Text(err error) string {
	if err == nil {
		return "no error"
	}
	if e, ok := ErrnoOf(err); ok {
		return Errno(e)
	}
	return err.Error()
}

// errnoTarget is the target of errors.As in ErrnoOf, allocated once: a
// local variable would escape to the heap.
var (
	errnoMu     sync.Mutex
	errnoTarget = new(unix.Errno)
)

// ErrnoOf returns the errno in err's chain, as errors.As finds it, and
// allocates nothing: softlimit needs the errno of a failed setrlimit after
// it has lowered its memory limits.
func ErrnoOf(err error) (unix.Errno, bool) {
	errnoMu.Lock()
	defer errnoMu.Unlock()
	*errnoTarget = 0
	if !errors.As(err, errnoTarget) {
		return 0, false
	}
	return *errnoTarget, true
}
