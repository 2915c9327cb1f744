// Package svscan is daemontools' svscan: every few seconds it looks at the
// scanned directory and makes sure each service directory in it has a
// `supervise N` running, plus a `supervise log` (in N) for a service with a
// log, the two joined by a pipe svscan keeps open for the service's life.
//
// The package is split so that the decisions can be tested, and driven by
// something other than a timer later (inotify), without a rewrite:
//
//   - table.go: what svscan knows (slots indexed by device/inode and by pid);
//   - decide.go: Decide, a pure function from (table, one observed entry)
//     to what to do about it;
//   - scan.go: Scanner, one scan as 0.76 does it (reap, mark, visit every
//     entry, drop), talking to the world only through System;
//   - system.go: the real System (getdents, stat, pipes, fork+exec via the
//     PATH search, wait4);
//   - lock.go, run.go: the single-instance lock and the main loop.
package svscan

// ID identifies a service directory by device and inode number, as stat
// (following symlinks) reports them: two names for one directory are one
// service, a new directory under an old name is a new one.
type ID struct{ Dev, Ino uint64 }

// Slot is one service svscan knows.
type Slot struct {
	ID     ID
	Name   string // the name the last scan saw it under
	Log    bool   // decided when the slot is created, or when a log is attached later
	Pipe   [2]int // read and write ends, open for the slot's life when Log
	Pid    int    // main supervise (or unit, svscan -C), 0 when not running
	LogPid int    // log supervise (or unit), 0 when not running
	Active bool   // seen by the current scan
	// Finished: the service has shutdown-on-exit and its run has ended:
	// it is not started again.
	Finished bool
}

// Table holds the known slots, indexed by ID and by supervise pid. Unlike
// 0.76 (a fixed array of 1000 searched linearly) it has no size limit and
// every lookup is a map access.
type Table struct {
	byID  map[ID]*Slot
	byPid map[int]*Slot
}

// NewTable returns an empty table.
func NewTable() *Table {
	return &Table{byID: make(map[ID]*Slot), byPid: make(map[int]*Slot)}
}

// Len is the number of slots.
func (t *Table) Len() int { return len(t.byID) }

// Lookup returns the slot for id, or nil.
func (t *Table) Lookup(id ID) *Slot { return t.byID[id] }

// Add records a new slot.
func (t *Table) Add(s *Slot) { t.byID[s.ID] = s }

// SetPid records the pid of a slot's main supervise.
func (t *Table) SetPid(s *Slot, pid int) {
	s.Pid = pid
	t.byPid[pid] = s
}

// SetLogPid records the pid of a slot's log supervise.
func (t *Table) SetLogPid(s *Slot, pid int) {
	s.LogPid = pid
	t.byPid[pid] = s
}

// Reaped clears the slot entry of a supervise that has exited. It reports
// whether pid was one of ours.
func (t *Table) Reaped(pid int) bool {
	s := t.byPid[pid]
	if s == nil {
		return false
	}
	delete(t.byPid, pid)
	switch pid {
	case s.Pid:
		s.Pid = 0
	case s.LogPid:
		s.LogPid = 0
	}
	return true
}

// Deactivate marks every slot as not seen, at the start of a scan.
func (t *Table) Deactivate() {
	for _, s := range t.byID {
		s.Active = false
	}
}

// DropIdle forgets every slot that the scan did not see and that has no
// supervise running, and returns them so that the caller closes their pipes.
func (t *Table) DropIdle() []*Slot {
	var out []*Slot
	for id, s := range t.byID {
		if !s.Active && s.Pid == 0 && s.LogPid == 0 {
			delete(t.byID, id)
			out = append(out, s)
		}
	}
	return out
}
