package multilog

import (
	"github.com/daemontools-go/daemontools/internal/layout"
	"os"
	"syscall"

	"github.com/daemontools-go/daemontools/internal/diag"
	"golang.org/x/sys/unix"
)

// rotate closes a full current and archives it (§9.9): current becomes
// previous, a new empty current is opened, and previous is either renamed
// to @TAI64N.s or fed through the processor, whose output becomes the .s
// file. Every step retries with a 5-second pause until it succeeds.
func (d *logDir) rotate() {
	d.retry(func() error { return unix.Fsync(d.cur) }, "unable to write ", d.name, "/current to disk")
	unix.Close(d.cur)
	d.cur = -1
	d.retry(func() error { return unix.Renameat(d.dirfd, layout.LogCurrent, d.dirfd, layout.LogPrevious) },
		"unable to rename current to previous in directory ", d.name)
	d.retry(func() (err error) {
		d.cur, err = unix.Openat(d.dirfd, layout.LogCurrent, openAppend, 0o600)
		return err
	}, "unable to create ", d.name, "/current")
	d.bytes = 0
	d.retry(func() error { return unix.Fchmod(d.cur, 0o644) }, "unable to set mode of ", d.name, "/current")
	d.retry(func() error { return unix.Fchmodat(d.dirfd, layout.LogPrevious, 0o744, 0) },
		"unable to set mode of ", d.name, "/previous")
	if !d.hasProc {
		d.finish(layout.LogPrevious, 's')
		return
	}
	d.process()
	d.retry(func() error { return d.syncFile(layout.LogProcessed, 0o744) }, "unable to create ", d.name, "/processed")
	d.retry(func() error { return d.syncFile(layout.LogNewState, 0) }, "unable to create ", d.name, "/newstate")
	d.retry(func() error { return unix.Unlinkat(d.dirfd, layout.LogPrevious, 0) }, "unable to remove ", d.name, "/previous")
	d.retry(func() error { return unix.Renameat(d.dirfd, layout.LogNewState, d.dirfd, layout.LogState) },
		"unable to rename newstate to state in directory ", d.name)
	d.finish(layout.LogProcessed, 's')
}

// retry runs op until it succeeds, pausing with "PARTS, pausing: ERR".
func (d *logDir) retry(op func() error, parts ...string) {
	for {
		err := op()
		if err == nil {
			return
		}
		d.env.pause(err, parts...)
	}
}

// syncFile opens name for append, fsyncs it and, if mode is not 0, sets
// its mode. Its own fsync and chmod failures are reported with their own
// messages; the returned error is for an open failure.
func (d *logDir) syncFile(name string, mode uint32) error {
	fd, err := unix.Openat(d.dirfd, name, openAppend, 0o600)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	d.retry(func() error { return unix.Fsync(fd) }, "unable to write ", d.name, "/", name, " to disk")
	if mode != 0 {
		d.retry(func() error { return unix.Fchmod(fd, mode) }, "unable to set mode of ", d.name, "/", name)
	}
	return nil
}

// process runs the processor on previous until it exits 0 (§9.9 step 7):
// sh -c PROCESSOR with previous on fd 0, processed on fd 1, multilog's
// stderr on fd 2, state on fd 4 and newstate on fd 5, in the directory.
// multilog reads no input meanwhile.
func (d *logDir) process() {
	// 0.76 changes into the directory at every rotation; everything else
	// here is relative to dirfd, so only the processor needs it.
	d.retry(func() error { return unix.Fchdir(d.dirfd) }, "unable to switch to ", d.name)
	for {
		pid, err := d.startProcessor()
		switch {
		case err == unix.EAGAIN || err == unix.ENOMEM:
			d.env.pause(err, "unable to fork for processor in ", d.name)
			continue
		case err != nil:
			// 0.76's child prints this and exits 111.
			d.env.log().Fatal("unable to run ", d.proc, diag.Err(err))
		default:
			var ws unix.WaitStatus
			err = wait(pid, &ws)
			switch {
			case err != nil:
				d.env.pause(err, "wait failed for processor in ", d.name)
			case ws.Signaled():
				// 0.76 prints a stale errno here; with an ALRM-driven
				// rotation it is EINTR, which is what we print.
				d.env.pause(unix.EINTR, "processor crashed in ", d.name)
			case ws.ExitStatus() == 0:
				return
			}
		}
		d.env.pauseNoErr("processor failed in ", d.name)
	}
}

// startProcessor opens the four files and starts /bin/sh -c PROCESSOR.
func (d *logDir) startProcessor() (int, error) {
	type file struct {
		name  string
		flags int
		mode  uint32
	}
	files := []file{{layout.LogPrevious, openRead, 0}, {layout.LogProcessed, openTrunc, 0o644},
		{layout.LogState, openRead, 0}, {layout.LogNewState, openTrunc, 0o644}}
	fds := make([]int, 0, len(files))
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for _, f := range files {
		fd, err := unix.Openat(d.dirfd, f.name, f.flags, f.mode)
		if err != nil {
			return 0, err
		}
		fds = append(fds, fd)
	}
	closed := ^uintptr(0)
	attr := &syscall.ProcAttr{
		Env:   os.Environ(),
		Files: []uintptr{uintptr(fds[0]), uintptr(fds[1]), 2, closed, uintptr(fds[2]), uintptr(fds[3])},
	}
	return syscall.ForkExec("/bin/sh", []string{"sh", "-c", d.proc}, attr)
}

// wait reaps pid; multilog's main goroutine is the only one that waits.
func wait(pid int, ws *unix.WaitStatus) error {
	for {
		_, err := unix.Wait4(pid, ws, 0, nil)
		if err != unix.EINTR {
			return err
		}
	}
}
