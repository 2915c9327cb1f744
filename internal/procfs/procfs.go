// Package procfs reads processes from Linux's /proc, for the benchmark
// (bench/) and the tests (through internal/testutil and internal/scantest):
// the parent, state and CPU time of a process, its memory (PSS and RSS from
// smaps_rollup), threads and context switches, its children and
// descendants, and its working directory and command line, which tell
// whether a process belongs to a benchmark or a test.
//
// The parsers take the file contents, so that they are tested on fixed text;
// the readers around them take a pid.
package procfs

import (
	"bytes"
	"errors"
	"os"
	"strconv"

	"github.com/daemontools-go/daemontools/internal/procs"
)

// Stat is what the benchmark uses of /proc/PID/stat.
type Stat struct {
	Comm    string
	State   byte
	PPid    int
	PGrp    int
	Session int
	Utime   uint64 // clock ticks
	Stime   uint64 // clock ticks
	Threads int
}

// ParseStat parses the contents of /proc/PID/stat (with package procs's
// parser, which supervise uses).
func ParseStat(b []byte) (Stat, error) {
	p, err := procs.Parse(b)
	if err != nil {
		return Stat{}, errors.New("procfs: stat: cannot parse")
	}
	return Stat{
		Comm:    string(b[bytes.IndexByte(b, '(')+1 : bytes.LastIndexByte(b, ')')]),
		State:   p.State,
		PPid:    p.PPid,
		PGrp:    p.Pgrp,
		Session: p.Session,
		Utime:   p.Utime,
		Stime:   p.Stime,
		Threads: p.Threads,
	}, nil
}

// ReadStat reads /proc/PID/stat.
func ReadStat(pid int) (Stat, error) {
	b, err := os.ReadFile(path(pid, "stat"))
	if err != nil {
		return Stat{}, err
	}
	return ParseStat(b)
}

// PPid returns the parent of pid, or -1 when pid is gone.
func PPid(pid int) int {
	st, err := ReadStat(pid)
	if err != nil {
		return -1
	}
	return st.PPid
}

// Mem is a process's memory from /proc/PID/smaps_rollup, in KiB.
type Mem struct {
	Rss, Pss uint64
}

// ParseSmapsRollup takes the Rss and Pss lines of smaps_rollup.
func ParseSmapsRollup(b []byte) (Mem, error) {
	var m Mem
	var seen int
	for _, line := range bytes.Split(b, []byte("\n")) {
		switch {
		case bytes.HasPrefix(line, []byte("Rss:")):
			m.Rss = kib(line[4:])
			seen |= 1
		case bytes.HasPrefix(line, []byte("Pss:")):
			m.Pss = kib(line[4:])
			seen |= 2
		}
	}
	if seen != 3 {
		return Mem{}, errors.New("procfs: smaps_rollup: no Rss or Pss line")
	}
	return m, nil
}

// kib parses "   1234 kB".
func kib(b []byte) uint64 {
	f := bytes.Fields(b)
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.ParseUint(string(f[0]), 10, 64)
	return n
}

// ReadMem reads /proc/PID/smaps_rollup.
func ReadMem(pid int) (Mem, error) {
	b, err := os.ReadFile(path(pid, "smaps_rollup"))
	if err != nil {
		return Mem{}, err
	}
	return ParseSmapsRollup(b)
}

// ParseCtxt returns the voluntary and non-voluntary context switches of a
// /proc/PID/task/TID/status file.
func ParseCtxt(b []byte) (vol, nonvol uint64, err error) {
	var seen int
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("voluntary_ctxt_switches:")); ok {
			vol = kib(v)
			seen |= 1
		} else if v, ok := bytes.CutPrefix(line, []byte("nonvoluntary_ctxt_switches:")); ok {
			nonvol = kib(v)
			seen |= 2
		}
	}
	if seen != 3 {
		return 0, 0, errors.New("procfs: status: no ctxt_switches lines")
	}
	return vol, nonvol, nil
}

// ParseSchedstat returns the first field of /proc/PID/task/TID/schedstat:
// nanoseconds spent on a CPU.
func ParseSchedstat(b []byte) (uint64, error) {
	f := bytes.Fields(b)
	if len(f) < 1 {
		return 0, errors.New("procfs: schedstat: empty")
	}
	return strconv.ParseUint(string(f[0]), 10, 64)
}

func path(pid int, name string) string {
	return "/proc/" + strconv.Itoa(pid) + "/" + name
}

// ParseHWM returns VmHWM, the peak resident set size in KiB, from the
// contents of /proc/PID/status.
func ParseHWM(b []byte) (uint64, error) {
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			return kib(v), nil
		}
	}
	return 0, errors.New("procfs: status: no VmHWM line")
}

// ReadHWM reads the peak RSS of pid in KiB. Unlike ru_maxrss, which keeps
// the peak of the process before its exec (for a child forked by a large
// process, the parent's size), VmHWM belongs to the program now running.
func ReadHWM(pid int) (uint64, error) {
	b, err := os.ReadFile(path(pid, "status"))
	if err != nil {
		return 0, err
	}
	return ParseHWM(b)
}
