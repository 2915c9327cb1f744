// Package svscanboot is daemontools' svscanboot, a /bin/sh script in 0.76,
// as a program: `svscanboot [dir]`, meant to be kept running by init or
// systemd. It
//
//  1. takes svscan's lock on dir/.svscan.lock, so that a second
//     svscanboot (or svscan) on the same directory stops here, with a
//     message, before touching anything;
//  2. tells leftover supervise processes of a previous instance to stop
//     their services and exit: `svc -dx dir/* dir/*/log`;
//  3. runs `svscan dir 2>&1 | readproctitle service errors: ....` (400
//     dots) as its two children, with an environment holding only PATH,
//     stdin from /dev/null, and svc's and readproctitle's output to
//     /dev/null, as the script does; svscan gets the lock on fd 3.
//
// It then waits. When svscan dies it exits 111, leaving every service
// running, so that init or systemd starts it again and the new instance
// takes over. On SIGTERM or SIGINT (an extension: the script just dies) it
// stops svscan, then the services with `svc -dx dir/*`, waits until their
// supervise processes are gone, does the same for the logs, and exits 0;
// a second signal makes it exit at once.
package svscanboot

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/pathexec"
	"github.com/daemontools-go/daemontools/internal/reap"
	"github.com/daemontools-go/daemontools/internal/svscan"
	"golang.org/x/sys/unix"
)

// DefaultDir is the scanned directory without an argument (Debian's; djb's
// original is /service, which works when given as the argument).
const DefaultDir = "/etc/service"

// ScriptPath is the PATH the 0.76 script sets.
const ScriptPath = "/command:/usr/local/bin:/usr/local/sbin:/bin:/sbin:/usr/bin:/usr/sbin:/usr/X11R6/bin"

// Dots is readproctitle's last argument: 400 dots.
var Dots = strings.Repeat(".", 400)

// Path is the PATH every child gets: the directory holding svscanboot
// itself first (so that the svscan, svc and readproctitle installed beside
// it are the ones used, whatever the prefix), then the script's.
func Path(exe string) string {
	if exe == "" {
		return ScriptPath
	}
	return filepath.Dir(exe) + ":" + ScriptPath
}

// boot is one run of svscanboot.
type boot struct {
	dir          string
	consolidated bool
	env          []string
	null         int // /dev/null, the children's stdin and discarded output
	log          diag.Logger
	sigs         chan os.Signal
	reaper       *reap.Reaper
	svscan       int // svscan's pid
	svscanEnded  bool
	svscanStatus unix.WaitStatus
	stops        int // stop signals (TERM, INT) received
}

// Run is svscanboot: `svscanboot [-C] [dir]`. With -C, svscan runs as
// `svscan -C -P dir`: it supervises every service itself, and a TERM makes
// it stop them in order (svc -dx would find no supervise to talk to).
func Run(_ io.Reader, _, stderr io.Writer, args []string) error {
	b := &boot{dir: DefaultDir, log: diag.Logger{Prog: "svscanboot", W: stderr}, reaper: reap.New()}
	args = args[1:]
	if len(args) > 0 && args[0] == "-C" {
		b.consolidated, args = true, args[1:]
	}
	if len(args) > 0 {
		b.dir = args[0]
	}
	var st unix.Stat_t
	if err := unix.Stat(b.dir, &st); err != nil {
		return b.log.Failure(diag.ExitTemporary, "unable to open ", b.dir, diag.Err(err))
	}
	lockPath := b.dir + "/" + svscan.LockName
	lock, err := svscan.Lock(lockPath, lockPath, -1)
	if err != nil {
		var le *svscan.LockError
		if errors.As(err, &le) && le.Busy() {
			return b.log.Failure(diag.ExitTemporary, le.Message())
		}
		b.log.Warn(err.Error())
	}
	exe, _ := os.Executable()
	b.env = []string{"PATH=" + Path(exe)}
	if b.null, err = unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0); err != nil {
		return b.log.Failure(diag.ExitTemporary, "unable to open /dev/null", diag.Err(err))
	}
	b.sigs = make(chan os.Signal, 8)
	signal.Notify(b.sigs, syscall.SIGCHLD, syscall.SIGTERM, syscall.SIGINT, syscall.SIGALRM)

	mains, logs := Leftovers(b.dir)
	b.svc(mains, logs)
	if b.stops > 0 { // asked to stop while cleaning up: nothing to start
		return nil
	}

	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		return b.log.Failure(diag.ExitTemporary, "unable to create pipe", diag.Err(err))
	}
	n := uintptr(b.null)
	if _, err := b.spawn([]string{"readproctitle", "service", "errors:", Dots}, []uintptr{uintptr(p[0]), n, n}); err != nil {
		return b.log.Failure(diag.ExitTemporary, "unable to start readproctitle", diag.Err(err))
	}
	files := []uintptr{n, uintptr(p[1]), uintptr(p[1])}
	if lock >= 0 {
		files = append(files, uintptr(lock)) // fd 3: svscan.InheritedLockFD
	}
	argv := []string{"svscan", b.dir}
	if b.consolidated {
		argv = []string{"svscan", "-C", "-P", b.dir}
	}
	b.svscan, err = b.spawn(argv, files)
	unix.Close(p[0])
	unix.Close(p[1])
	if lock >= 0 {
		unix.Close(lock) // svscan holds it now
	}
	if err != nil {
		return b.log.Failure(diag.ExitTemporary, "unable to start svscan", diag.Err(err))
	}
	b.reaper.Register(b.svscan, reap.OwnerFunc(func(_ int, ws unix.WaitStatus) {
		b.svscanEnded, b.svscanStatus = true, ws
	}))
	if code := b.wait(); code != 0 {
		return diag.Exit(code)
	}
	return nil
}

// wait reaps children until svscan exits (111) or a signal asks for a
// stop; SIGALRM is passed on to svscan (a scan now).
func (b *boot) wait() int {
	for {
		b.reaper.Reap()
		if b.svscanEnded {
			b.log.Fatal("svscan ", describe(b.svscanStatus))
			return diag.ExitTemporary
		}
		switch <-b.sigs {
		case syscall.SIGCHLD:
		case syscall.SIGALRM:
			unix.Kill(b.svscan, unix.SIGALRM) //nolint:errcheck // gone: the next round says so
		default:
			b.stops++
			return b.stop()
		}
	}
}

func describe(ws unix.WaitStatus) string {
	if ws.Signaled() {
		return fmt.Sprintf("was killed by signal %d", int(ws.Signal()))
	}
	return fmt.Sprintf("exited with status %d", ws.ExitStatus())
}

// stop ends svscan, then the services, then their logs, each waited for.
// svscan -C stops its services itself, in order, before it exits.
func (b *boot) stop() int {
	unix.Kill(b.svscan, unix.SIGTERM)
	if !b.waitFor(func() bool { return b.svscanEnded }) {
		return diag.ExitTemporary
	}
	if b.consolidated {
		return 0
	}
	mains, logs := Leftovers(b.dir)
	for _, group := range [][]string{mains, logs} {
		b.svc(group)
		if b.stops > 1 || !b.waitDown(group) { // a second stop signal
			return diag.ExitTemporary
		}
	}
	return 0
}

// waitFor reaps until done() holds; false on a stop signal, which is
// counted (b.stops), never lost.
func (b *boot) waitFor(done func() bool) bool {
	for {
		b.reaper.Reap()
		if done() {
			return true
		}
		if sig := <-b.sigs; sig != syscall.SIGCHLD && sig != syscall.SIGALRM {
			b.stops++
			return false
		}
	}
}

// svc runs `svc -dx dirs...` and waits for it; a missing svc is ignored,
// as the script ignores it.
func (b *boot) svc(groups ...[]string) {
	argv := []string{"svc", "-dx"}
	for _, g := range groups {
		argv = append(argv, g...)
	}
	n := uintptr(b.null)
	if pid, err := b.spawn(argv, []uintptr{n, n, n}); err == nil {
		done := false
		b.reaper.Register(pid, reap.OwnerFunc(func(int, unix.WaitStatus) { done = true }))
		b.waitFor(func() bool { return done })
	}
}

// waitDown polls until no supervise runs in dirs. It gives up (false) on
// a second stop signal.
func (b *boot) waitDown(dirs []string) bool {
	for {
		up := dirs[:0]
		for _, d := range dirs {
			if Running(d) {
				up = append(up, d)
			}
		}
		if len(up) == 0 {
			return true
		}
		dirs = up
		select {
		case sig := <-b.sigs:
			if sig != syscall.SIGCHLD && sig != syscall.SIGALRM {
				b.stops++
				return false
			}
			b.reaper.Reap()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Running reports whether a supervise runs in dir, as svok tells: its
// supervise/ok FIFO has a reader.
func Running(dir string) bool {
	fd, err := unix.Open(dir+"/"+layout.OK, unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	unix.Close(fd)
	return true
}

// spawn starts argv[0], found through PATH with djb's rules, with files as
// its descriptors 0, 1, 2 (and 3...).
func (b *boot) spawn(argv []string, files []uintptr) (int, error) {
	return pathexec.Spawn(argv, &syscall.ProcAttr{Env: b.env, Files: files})
}
