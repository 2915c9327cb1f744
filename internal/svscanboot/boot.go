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
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/pathexec"
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
	dir  string
	env  []string
	null int // /dev/null, the children's stdin and discarded output
	log  diag.Logger
	sigs chan os.Signal
}

// Run is svscanboot's main. It returns the exit code.
func Run(args []string, stderr io.Writer) int {
	b := &boot{dir: DefaultDir, log: diag.Logger{Prog: "svscanboot", W: stderr}}
	if len(args) > 1 {
		b.dir = args[1]
	}
	lockPath := b.dir + "/" + svscan.LockName
	lock, err := svscan.Lock(lockPath, lockPath, -1)
	if err != nil {
		le := err.(*svscan.LockError)
		if le.Busy() {
			b.log.Fatal(le.Message())
			return diag.ExitTemporary
		}
		b.log.Warn(le.Message())
	}
	exe, _ := os.Executable()
	b.env = []string{"PATH=" + Path(exe)}
	if b.null, err = unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0); err != nil {
		b.log.Fatal("unable to open /dev/null", diag.Err(err))
		return diag.ExitTemporary
	}
	b.sigs = make(chan os.Signal, 4)
	signal.Notify(b.sigs, syscall.SIGCHLD, syscall.SIGTERM, syscall.SIGINT)

	mains, logs := Leftovers(b.dir)
	b.svc(mains, logs)

	var p [2]int
	if err := unix.Pipe2(p[:], unix.O_CLOEXEC); err != nil {
		b.log.Fatal("unable to create pipe", diag.Err(err))
		return diag.ExitTemporary
	}
	n := uintptr(b.null)
	if _, err := b.spawn([]string{"readproctitle", "service", "errors:", Dots}, []uintptr{uintptr(p[0]), n, n}); err != nil {
		b.log.Fatal("unable to start readproctitle", diag.Err(err))
		return diag.ExitTemporary
	}
	files := []uintptr{n, uintptr(p[1]), uintptr(p[1])}
	if lock >= 0 {
		files = append(files, uintptr(lock)) // fd 3: svscan.InheritedLockFD
	}
	pid, err := b.spawn([]string{"svscan", b.dir}, files)
	unix.Close(p[0])
	unix.Close(p[1])
	if lock >= 0 {
		unix.Close(lock) // svscan holds it now
	}
	if err != nil {
		b.log.Fatal("unable to start svscan", diag.Err(err))
		return diag.ExitTemporary
	}
	return b.wait(pid)
}

// wait reaps children until svscan exits (111) or a signal asks for a stop.
func (b *boot) wait(svscanPid int) int {
	for {
		for {
			pid, ws := reapOne()
			if pid == 0 {
				break
			}
			if pid == svscanPid {
				b.log.Fatal("svscan ", describe(ws))
				return diag.ExitTemporary
			}
		}
		if sig := <-b.sigs; sig != syscall.SIGCHLD {
			return b.stop(svscanPid)
		}
	}
}

// reapOne collects one exited child without blocking: pid 0 when none.
func reapOne() (int, unix.WaitStatus) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return 0, ws
		}
		return pid, ws
	}
}

func describe(ws unix.WaitStatus) string {
	if ws.Signaled() {
		return fmt.Sprintf("was killed by signal %d", int(ws.Signal()))
	}
	return fmt.Sprintf("exited with status %d", ws.ExitStatus())
}

// stop ends svscan, then the services, then their logs, each waited for.
func (b *boot) stop(svscanPid int) int {
	unix.Kill(svscanPid, unix.SIGTERM)
	b.reap(svscanPid)
	mains, logs := Leftovers(b.dir)
	for _, group := range [][]string{mains, logs} {
		b.svc(group)
		if !b.waitDown(group) {
			return diag.ExitTemporary
		}
	}
	return 0
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
		b.reap(pid)
	}
}

// reap waits for one child.
func (b *boot) reap(pid int) {
	for {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, 0, nil); err != unix.EINTR {
			return
		}
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
			if sig != syscall.SIGCHLD {
				return false
			}
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Running reports whether a supervise runs in dir, as svok tells: its
// supervise/ok FIFO has a reader.
func Running(dir string) bool {
	fd, err := unix.Open(dir+"/supervise/ok", unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
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
