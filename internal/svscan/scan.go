package svscan

import (
	"errors"

	"github.com/daemontools-go/daemontools/internal/diag"
)

// System is everything a scan does outside its table. The real one is
// NewSystem; tests use a fake.
type System interface {
	// ReadDir lists the scanned directory (the current directory). On a
	// read error it returns the names read so far and the error.
	ReadDir() ([]string, error)
	// Stat stats name, following symlinks.
	Stat(name string) (id ID, dir bool, err error)
	// Pipe makes a close-on-exec pipe for a logged service.
	Pipe() (r, w int, err error)
	// Close closes a descriptor.
	Close(fd int)
	// StartMain starts `supervise name` with stdout as its fd 1 (-1: svscan's own).
	StartMain(name string, stdout int) (pid int, err error)
	// StartLog starts `supervise log` in directory name with stdin as its fd 0.
	StartLog(name string, stdin int) (pid int, err error)
	// Reap collects one exited child without blocking: 0 when there is none.
	Reap() int
}

// Step says where starting a supervise failed.
type Step int

// The steps of starting a supervise, as 0.76's messages name them.
const (
	StepExec   Step = iota // "unable to start supervise N: ..."
	StepFork               // "unable to fork for N: ..."
	StepSwitch             // "unable to switch to N: ..." (log supervise only)
)

// StartError is a failure to start a supervise.
type StartError struct {
	Step Step
	Err  error
}

func (e *StartError) Error() string { return e.Err.Error() }
func (e *StartError) Unwrap() error { return e.Err }

// Scanner performs scans of the current directory.
type Scanner struct {
	Table *Table
	Sys   System
	Log   diag.Logger
}

// Scan is one scan, in 0.76's order: reap exited children, mark every slot
// unseen, visit every entry of the directory, then forget the slots that
// are gone and idle. A directory that cannot be read is reported and the
// clean-up is skipped.
func (s *Scanner) Scan() {
	for {
		pid := s.Sys.Reap()
		if pid <= 0 {
			break
		}
		s.Table.Reaped(pid)
	}
	s.Table.Deactivate()
	names, err := s.Sys.ReadDir()
	for _, name := range names {
		s.Visit(name)
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

// Visit handles one directory entry: it observes it, decides, and acts.
func (s *Scanner) Visit(name string) {
	if name == "" || name[0] == '.' {
		return
	}
	e := Entry{Name: name}
	e.ID, e.Dir, e.Err = s.Sys.Stat(name)
	if NeedsLogStat(s.Table, e) {
		_, _, e.LogErr = s.Sys.Stat(name + "/log")
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
			r, w, err := s.Sys.Pipe()
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
	slot.Active = true
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
	default:
		s.Log.Warn("unable to start supervise ", name, suffix, diag.Err(se.Err))
	}
	return false
}
