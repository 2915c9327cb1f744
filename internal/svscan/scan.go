package svscan

import (
	"errors"
	"strings"

	"github.com/daemontools-go/daemontools/internal/diag"
	"golang.org/x/sys/unix"
)

// System is everything a scan does outside its table. The real one is
// NewSystem; tests use a fake.
type System interface {
	// ReadDir lists the scanned directory (the current directory). On a
	// read error it returns the entries read so far and the error. The
	// entries (and their names) are only valid until the next call.
	ReadDir() ([]Dirent, error)
	// Stat stats name, following symlinks.
	Stat(name string) (id ID, dir bool, err error)
	// StatLog stats name/log, following symlinks. A symlinked service
	// without a log has it looked at every scan, so it must not allocate.
	StatLog(name string) error
	// Pipe makes a close-on-exec pipe for a logged service.
	// (svscan -C reuses the pipe of an instance it adopts, named by the
	// service name.)
	Pipe(name string) (r, w int, err error)
	// LateLog gives the running service name (main: its StartMain pid)
	// the pipe of a log that appeared after the slot was made: per
	// process, the FIFO name/supervise/log.fifo, opened close-on-exec for
	// reading and for writing, that our supervise adopts at its next start
	// (see Decision.Attach).
	LateLog(name string, main int) (r, w int, err error)
	// Close closes a descriptor.
	Close(fd int)
	// StartMain starts `supervise name` with stdout as its fd 1 (-1: svscan's own).
	StartMain(name string, stdout int) (pid int, err error)
	// StartLog starts `supervise log` in directory name with stdin as its fd 0.
	StartLog(name string, stdin int) (pid int, err error)
	// Fatal is a failure after which no name may be resolved any more (it
	// could not come back to the scanned directory): the scan stops.
	Fatal() error
}

// Step says where starting a supervise failed.
type Step int

// The steps of starting a supervise, as 0.76's messages name them.
const (
	StepExec   Step = iota // "unable to start supervise N: ..."
	StepFork               // "unable to fork for N: ..."
	StepSwitch             // "unable to switch to N: ..." (log supervise only)
	StepUnit               // svscan -C: supervise's own message, Err's text
)

// StartError is a failure to start a supervise.
type StartError struct {
	Step Step
	Err  error
}

func (e *StartError) Error() string { return e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// Dirent is a directory entry as getdents gives it.
type Dirent struct {
	Name string
	Ino  uint64 // of the entry itself (a symlink's own inode)
	Type uint8  // unix.DT_DIR, unix.DT_LNK, ... or unix.DT_UNKNOWN
}

// refreshEvery is how often (in scans) every entry is stat'ed again even
// when the stat cache says nothing changed: once a minute.
const refreshEvery = 12

// Scanner performs scans of the current directory.
//
// Stat cache: 0.76 stats every entry at every scan, which is most of its
// idle cost. An entry that getdents reports as a plain directory (not a
// symlink) with the same inode number as when it was last stat'ed is the
// same directory, so its (dev, ino) is taken from the cache. Symlinks, and
// entries of unknown type, are stat'ed every time (their target may have
// changed); every entry is stat'ed again every refreshEvery scans, which
// bounds the only case the cache cannot see (a file system mounted on a
// service directory) to a minute.
type Scanner struct {
	Table *Table
	Sys   System
	Log   diag.Logger
	cache map[string]*cached
	scans int
}

// cached is what the last stat of a plain directory entry said.
type cached struct {
	ino  uint64 // the entry's inode number then
	id   ID
	scan int // when
}

// Scan is one scan, in 0.76's order: mark every slot unseen, visit every
// entry of the directory, then forget the slots that are gone and idle. A
// directory that cannot be read is reported and the clean-up is skipped.
// (0.76 reaped its children at the start of a scan; the host reaps them
// as they exit, and Reaped tells the table.)
func (s *Scanner) Scan() {
	s.Table.Deactivate()
	if s.cache == nil {
		s.cache = make(map[string]*cached)
	}
	s.scans++
	ents, err := s.Sys.ReadDir()
	for _, d := range ents {
		if s.Sys.Fatal() != nil {
			break // elsewhere than the scanned directory: names mean other files
		}
		s.Visit(d)
	}
	if s.refreshing() {
		for name, c := range s.cache {
			if c.scan != s.scans {
				delete(s.cache, name)
			}
		}
	}
	if err != nil {
		s.Log.Warn("unable to read directory", diag.Err(err))
		return
	}
	for _, slot := range s.Table.DropIdle() {
		if slot.Log {
			s.Sys.Close(slot.Pipe[0])
			s.Sys.Close(slot.Pipe[1])
		}
	}
}

// Reaped tells the table that a supervise (or svscan -C's unit) has ended.
func (s *Scanner) Reaped(pid int) { s.Table.Reaped(pid) }

// refreshing reports whether this scan stats every entry.
func (s *Scanner) refreshing() bool { return s.scans%refreshEvery == 1 }

// Visit handles one directory entry: it observes it, decides, and acts.
func (s *Scanner) Visit(d Dirent) {
	name := d.Name
	if name == "" || name[0] == '.' {
		return
	}
	e := Entry{Name: name}
	c := s.cache[name]
	if c != nil && d.Type == unix.DT_DIR && c.ino == d.Ino && !s.refreshing() {
		e.ID, e.Dir = c.id, true
		c.scan = s.scans
	} else {
		e.Fresh = true
		e.ID, e.Dir, e.Err = s.Sys.Stat(name)
		switch {
		case e.Err != nil || !e.Dir || d.Type != unix.DT_DIR || s.cache == nil:
			delete(s.cache, name)
		case c != nil: // updated in place: name may not outlive this scan
			*c = cached{ino: d.Ino, id: e.ID, scan: s.scans}
		default:
			s.cache[strings.Clone(name)] = &cached{ino: d.Ino, id: e.ID, scan: s.scans}
		}
	}
	if NeedsLogStat(s.Table, e) {
		e.LogErr = s.Sys.StatLog(name)
		e.LogSeen = true
	}
	s.apply(name, Decide(s.Table, e), e.ID)
}

// apply carries out a decision; a failure ends the work on this entry for
// this scan, except a failed exec of the main supervise, after which 0.76
// still starts the log (its child failed, not its fork).
func (s *Scanner) apply(name string, d Decision, id ID) {
	if d.Warn != "" {
		s.Log.Warn(d.Warn)
		return
	}
	slot := s.Table.Lookup(id)
	if d.Create {
		slot = &Slot{ID: id, Log: d.Log}
		if d.Log {
			r, w, err := s.Sys.Pipe(name)
			if err != nil {
				s.Log.Warn("unable to create pipe for ", name, diag.Err(err))
				return
			}
			slot.Pipe = [2]int{r, w}
		}
		s.Table.Add(slot)
	}
	if slot == nil {
		return
	}
	// The name is kept for the stop, which goes by name: the first one
	// met in a scan, so that a service seen under two names (a directory
	// and a link to it) does not switch (and allocate) at every visit.
	if !slot.Active && slot.Name != name {
		slot.Name = strings.Clone(name)
	}
	slot.Active = true
	if d.Attach {
		r, w, err := s.Sys.LateLog(name, slot.Pid)
		if err != nil {
			s.Log.Warn("unable to create pipe for ", name, diag.Err(err))
			d.StartLog = false
		} else {
			slot.Log, slot.Pipe = true, [2]int{r, w}
		}
	}
	if d.StartMain {
		stdout := -1
		if slot.Log {
			stdout = slot.Pipe[1]
		}
		pid, err := s.Sys.StartMain(name, stdout)
		if s.startFailed(name, "", err) {
			return
		}
		if pid > 0 {
			s.Table.SetPid(slot, pid)
		}
	}
	if d.StartLog {
		pid, err := s.Sys.StartLog(name, slot.Pipe[0])
		if s.startFailed(name, "/log", err) {
			return
		}
		if pid > 0 {
			s.Table.SetLogPid(slot, pid)
		}
	}
}

// startFailed reports a failed start with 0.76's wording and says whether
// the rest of the entry's work must be skipped (only after a fork failure).
func (s *Scanner) startFailed(name, suffix string, err error) bool {
	if err == nil {
		return false
	}
	var se *StartError
	if !errors.As(err, &se) {
		se = &StartError{Step: StepExec, Err: err}
	}
	switch se.Step {
	case StepFork:
		s.Log.Warn("unable to fork for ", name, suffix, diag.Err(se.Err))
		return true
	case StepSwitch:
		s.Log.Warn("unable to switch to ", name, diag.Err(se.Err))
	case StepUnit:
		s.Log.Warn(se.Err.Error())
	default:
		s.Log.Warn("unable to start supervise ", name, suffix, diag.Err(se.Err))
	}
	return false
}
