package svscan

import (
	"errors"

	"github.com/daemontools-go/daemontools/internal/errstr"
	"golang.org/x/sys/unix"
)

// maxLogName is the longest entry name 0.76 looks for a log under
// (its buffer holds the name, "/log" and a NUL in 260 bytes).
const maxLogName = 255

// Entry is what a scan observed about one entry of the scanned directory.
type Entry struct {
	Name   string
	Err    error // stat(Name) failed with this
	Dir    bool  // Name is (or leads by symlinks to) a directory
	ID     ID
	LogErr error // stat(Name/log) when LogSeen: nil means it has a log
	// LogSeen: Name/log was looked at (see NeedsLogStat).
	LogSeen bool
	// Fresh: Name was stat'ed by this scan, not taken from the stat cache.
	Fresh bool
}

// NeedsLogStat reports whether the observer must stat Name/log for e before
// calling Decide: for a directory whose name is short enough and that is
// not yet a slot (as 0.76), or that is a slot without a log and was stat'ed
// afresh by this scan (a late log; see Decision.Attach).
func NeedsLogStat(t *Table, e Entry) bool {
	if e.Err != nil || !e.Dir || len(e.Name) > maxLogName {
		return false
	}
	s := t.Lookup(e.ID)
	return s == nil || (!s.Log && e.Fresh)
}

// Decision is what to do about one entry.
type Decision struct {
	Warn      string // a warning (the text after "svscan: warning: "); nothing else happens
	Create    bool   // make a new slot
	Log       bool   // the new slot has a log (a pipe is made for it)
	StartMain bool   // start `supervise N`
	StartLog  bool   // start `supervise log` in N
	// Attach: N/log appeared after the slot was made without a log. 0.76
	// decides once, when the slot is made, and ignores such a log until the
	// service leaves the directory; the daemontools how-to adds a log to a
	// running service and expects `svc -t` to be enough. So the slot gets
	// its pipe now, as a FIFO in N/supervise that our supervise adopts as
	// the service's output at its next start of ./run, and the log starts.
	Attach bool
}

// Decide is the pure part of a scan: given the table and one observed
// entry (not a dot name), it says what 0.76 does about it.
func Decide(t *Table, e Entry) Decision {
	if e.Err != nil {
		return Decision{Warn: "unable to stat " + e.Name + ": " + errstr.Text(e.Err)}
	}
	if !e.Dir {
		return Decision{}
	}
	if s := t.Lookup(e.ID); s != nil {
		d := Decision{StartMain: s.Pid == 0 && !s.Finished, StartLog: s.Log && s.LogPid == 0}
		if !s.Log && e.LogSeen && e.LogErr == nil {
			d.Attach, d.StartLog = true, true
		}
		return d
	}
	d := Decision{Create: true, StartMain: true}
	if e.LogSeen {
		switch {
		case e.LogErr == nil:
			d.Log, d.StartLog = true, true
		case !errors.Is(e.LogErr, unix.ENOENT):
			return Decision{Warn: "unable to stat " + e.Name + "/log: " + errstr.Text(e.LogErr)}
		}
	}
	return d
}
