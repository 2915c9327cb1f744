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
	LogErr error // stat(Name/log), looked at only for an ID not in the table: nil means it has a log
}

// NeedsLogStat reports whether the observer must stat Name/log for e before
// calling Decide: only for a directory that is not yet a slot, and whose
// name is short enough.
func NeedsLogStat(t *Table, e Entry) bool {
	return e.Err == nil && e.Dir && t.Lookup(e.ID) == nil && len(e.Name) <= maxLogName
}

// Decision is what to do about one entry.
type Decision struct {
	Warn      string // a warning (the text after "svscan: warning: "); nothing else happens
	Create    bool   // make a new slot
	Log       bool   // the new slot has a log (a pipe is made for it)
	StartMain bool   // start `supervise N`
	StartLog  bool   // start `supervise log` in N
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
		return Decision{StartMain: s.Pid == 0, StartLog: s.Log && s.LogPid == 0}
	}
	d := Decision{Create: true, StartMain: true}
	if len(e.Name) <= maxLogName {
		switch {
		case e.LogErr == nil:
			d.Log, d.StartLog = true, true
		case !errors.Is(e.LogErr, unix.ENOENT):
			return Decision{Warn: "unable to stat " + e.Name + "/log: " + errstr.Text(e.LogErr)}
		}
	}
	return d
}
