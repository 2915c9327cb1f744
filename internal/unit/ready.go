package unit

import (
	"bytes"
	"os"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/supervise"
)

// Readiness, with s6's and systemd's protocols (docs/supervise.md):
//
//   - notification-fd N: ./run gets the write end of a pipe as fd N; the
//     first newline written on it marks the instance ready (the bytes
//     before it are ignored), and the unit closes its end. End of file
//     without a newline: this instance is never ready.
//   - notify-socket: a unix datagram socket supervise/notify, named in
//     ./run's environment as NOTIFY_SOCKET, read as systemd's sd_notify:
//     READY=1, RELOADING=1 (not ready until the next READY=1), STOPPING=1
//     (not ready), STATUS=text (kept for state.json). MAINPID= and
//     WATCHDOG= are ignored. Datagrams over MaxNotify bytes or with a NUL
//     are dropped, and only the service's own processes are believed: the
//     sender's pid (SO_PASSCRED) must be in the service's session (or be
//     ./run itself under no-setsid), or gone already (the socket is 0600).

// MaxNotify is the largest sd_notify datagram taken (systemd's limit).
const MaxNotify = 4096

// notifyEnv is the environment variable naming the socket.
const notifyEnv = "NOTIFY_SOCKET"

// readyPipe makes the notification pipe of the next instance and returns
// the child's descriptor table: stdin, stdout, stderr, closed up to N, the
// pipe's write end as N. The unit keeps the read end.
func (u *Unit) readyPipe(n int) ([]uintptr, int, error) {
	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return nil, -1, err
	}
	if err := unix.SetNonblock(p[0], true); err != nil {
		unix.Close(p[0])
		unix.Close(p[1])
		return nil, -1, err
	}
	files := make([]uintptr, n+1)
	copy(files, scratch.files[:])
	for i := 3; i < n; i++ {
		files[i] = ^uintptr(0) // closed in the child
	}
	files[n] = uintptr(p[1])
	u.notifyR = p[0]
	return files, p[1], nil
}

// closeReady forgets the notification pipe of the last instance.
func (u *Unit) closeReady() {
	if u.notifyR >= 0 {
		u.h.Remove(u.notifyR)
		unix.Close(u.notifyR)
		u.notifyR = -1
	}
	u.readyEv = 0
}

// readPipe reads the notification pipe: a newline means ready.
func (u *Unit) readPipe() {
	var b [512]byte
	for u.notifyR >= 0 {
		n, err := unix.Read(u.notifyR, b[:])
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return
		case err != nil || n == 0: // end of file: never ready
			u.h.Remove(u.notifyR)
			unix.Close(u.notifyR)
			u.notifyR = -1
			return
		}
		if bytes.IndexByte(b[:n], '\n') >= 0 {
			u.h.Remove(u.notifyR)
			unix.Close(u.notifyR)
			u.notifyR = -1
			u.readyEv = supervise.Ready
			return
		}
	}
}

// notifySocket opens supervise/notify if it is not open yet and returns
// the NOTIFY_SOCKET value: its absolute path, or an abstract name when the
// path does not fit a socket address.
func (u *Unit) notifySocket() (string, error) {
	if u.notifyS >= 0 {
		return u.notifyName, nil
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		return "", err
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
		unix.Close(fd)
		return "", err
	}
	abs, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(u.dirfd))
	name := abs + "/" + layout.Notify
	if err != nil || len(name) >= len(unix.RawSockaddrUnix{}.Path) {
		// Abstract: nothing on disk, the same for every process.
		name = "@daemontools/" + strconv.Itoa(os.Getpid()) + "/" + strconv.Itoa(u.dirfd)
		err = unix.Bind(fd, &unix.SockaddrUnix{Name: name})
	} else {
		unix.Unlinkat(u.dirfd, layout.Notify, 0) //nolint:errcheck // a socket left by an earlier supervise
		err = unix.Bind(fd, &unix.SockaddrUnix{Name: name})
		if err == nil {
			err = unix.Fchmodat(u.dirfd, layout.Notify, 0o600, 0)
		}
	}
	if err == nil {
		err = u.h.Add(fd, u)
	}
	if err != nil {
		unix.Close(fd)
		return "", err
	}
	u.notifyS, u.notifyName = fd, name
	return name, nil
}

// readSocket takes every waiting datagram.
func (u *Unit) readSocket() {
	var buf [MaxNotify + 1]byte
	oob := make([]byte, unix.CmsgSpace(int(unsafe.Sizeof(unix.Ucred{}))))
	for {
		n, oobn, flags, _, err := unix.Recvmsg(u.notifyS, buf[:], oob, unix.MSG_DONTWAIT|unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return
		}
		closeRights(oob[:oobn])
		if n > MaxNotify || flags&unix.MSG_TRUNC != 0 || bytes.IndexByte(buf[:n], 0) >= 0 {
			continue
		}
		cred, ok := sender(oob[:oobn])
		if !ok || !u.fromService(int(cred.Pid)) {
			continue
		}
		u.notify(buf[:n])
	}
}

// sender returns the credentials of a datagram.
func sender(oob []byte) (*unix.Ucred, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, false
	}
	for i := range msgs {
		if msgs[i].Header.Level == unix.SOL_SOCKET && msgs[i].Header.Type == unix.SCM_CREDENTIALS {
			c, err := unix.ParseUnixCredentials(&msgs[i])
			return c, err == nil
		}
	}
	return nil, false
}

// closeRights closes descriptors a sender passed (sd_notify's FDSTORE):
// none is kept.
func closeRights(oob []byte) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return
	}
	for i := range msgs {
		if fds, err := unix.ParseUnixRights(&msgs[i]); err == nil {
			for _, fd := range fds {
				unix.Close(fd)
			}
		}
	}
}

// fromService reports whether pid belongs to the running instance.
func (u *Unit) fromService(pid int) bool {
	if u.m.Pid() == 0 {
		return false
	}
	if pid == u.m.Pid() {
		return true
	}
	if u.inst.session == 0 {
		return false
	}
	// A sender that has exited already (systemd-notify --ready, from a
	// run script) cannot be looked at any more: it is believed, the socket
	// being 0600, writable by the supervisor's user only.
	// (ESRCH: it ended between the open and the read of its stat file.)
	p, err := scratch.procs.Stat(pid)
	return err == unix.ENOENT || err == unix.ESRCH || (err == nil && p.Session == u.inst.session)
}

// notify takes one sd_notify message: lines of KEY=VALUE. STOPPING=1
// wins over READY=1, which wins over RELOADING=1, as in systemd.
func (u *Unit) notify(msg []byte) {
	var ready, reloading, stopping bool
	for _, line := range bytes.Split(msg, []byte{'\n'}) {
		k, v, ok := bytes.Cut(line, []byte{'='})
		if !ok {
			continue
		}
		switch string(k) {
		case "READY":
			ready = string(v) == "1"
		case "RELOADING":
			reloading = string(v) == "1"
		case "STOPPING":
			stopping = string(v) == "1"
		case "STATUS":
			u.rec.StatusText, u.rec.HasStatus = string(v), true
			u.publish()
		}
	}
	switch {
	case stopping || (reloading && !ready):
		u.readyEv = supervise.Reloading
	case ready:
		u.readyEv = supervise.Ready
	}
}

// readyFiles returns the descriptor table and environment of the next
// start with its readiness protocol, and the pipe end to close after the
// fork (-1 for none).
func (u *Unit) readyFiles(c config) (files []uintptr, env []string, closeAfter int) {
	u.closeReady()
	u.rec.StatusText, u.rec.HasStatus = "", false
	files, env, closeAfter = scratch.files[:], u.o.Env, -1
	if c.notifyFD != 0 {
		f, w, err := u.readyPipe(c.notifyFD)
		if err != nil {
			u.log.Warn("unable to create pipe for ", u.o.Dir, "/", layout.NotificationFD, errText(err))
		} else {
			files, closeAfter = f, w
		}
	}
	if c.notifySocket {
		name, err := u.notifySocket()
		if err != nil {
			u.log.Warn("unable to create ", u.o.Dir, "/", layout.Notify, errText(err))
		} else {
			env = append(append(make([]string, 0, len(env)+1), env...), notifyEnv+"="+name)
		}
	}
	return files, env, closeAfter
}

// watchReady starts reading the notification pipe of the new instance.
func (u *Unit) watchReady() {
	if u.notifyR >= 0 {
		if err := u.h.Add(u.notifyR, u); err != nil {
			unix.Close(u.notifyR)
			u.notifyR = -1
		}
	}
}
