package procs

// Member says whether a process belongs to a service, in Leftovers.
type Member struct {
	// Pgrp and Session: a process in this group or session belongs (0: not
	// used; a service that shares the supervisor's group or session, under
	// no-setsid, must not use them).
	Pgrp, Session int
	// Roots: every descendant of these pids belongs, and they do too.
	Roots []int
	// Parent: every child of this pid belongs (with its descendants),
	// except those in Except: a supervisor that is a subreaper owns every
	// orphan of its one service.
	Parent int
	// Except is never a member (the supervisor itself, ./finish, loggers).
	Except []int
}

// Leftovers appends to dst every process of procs that belongs to the
// service m describes, with its descendants, and returns it. Zombies are
// left out: they are gone already.
func Leftovers(dst []int, procs []Proc, m Member) []int {
	in := func(pid int) bool {
		for _, e := range m.Except {
			if pid == e {
				return true
			}
		}
		return false
	}
	start := len(dst)
	for _, p := range procs {
		if p.State == 'Z' || in(p.Pid) {
			continue
		}
		switch {
		case m.Pgrp > 0 && p.Pgrp == m.Pgrp,
			m.Session > 0 && p.Session == m.Session,
			m.Parent > 0 && p.PPid == m.Parent:
			dst = append(dst, p.Pid)
			continue
		}
		for _, r := range m.Roots {
			if p.Pid == r {
				dst = append(dst, p.Pid)
				break
			}
		}
	}
	// Descendants of what was found, to a fixed point.
	for changed := true; changed; {
		changed = false
		for _, p := range procs {
			if p.State == 'Z' || in(p.Pid) || contains(dst[start:], p.Pid) {
				continue
			}
			if contains(dst[start:], p.PPid) {
				dst = append(dst, p.Pid)
				changed = true
			}
		}
	}
	return dst
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
