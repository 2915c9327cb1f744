package procfs

import (
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Usage is the cumulative cost of a process, summed over its threads.
type Usage struct {
	CPUNanos uint64 // time on a CPU (schedstat), ns
	Switches uint64 // voluntary + non-voluntary context switches: wake-ups
	Threads  int
	Ticks    uint64 // utime+stime of /proc/PID/stat, in clock ticks (1/100 s)
}

// CPU is the time on a CPU as a duration.
func (u Usage) CPU() time.Duration { return time.Duration(u.CPUNanos) }

// Add returns the sum of u and v.
func (u Usage) Add(v Usage) Usage {
	return Usage{u.CPUNanos + v.CPUNanos, u.Switches + v.Switches, u.Threads + v.Threads, u.Ticks + v.Ticks}
}

// Sub returns u - v for the counters (Threads is u's).
func (u Usage) Sub(v Usage) Usage {
	return Usage{u.CPUNanos - min(u.CPUNanos, v.CPUNanos), u.Switches - min(u.Switches, v.Switches), u.Threads,
		u.Ticks - min(u.Ticks, v.Ticks)}
}

// ReadUsage sums the CPU time and context switches of every thread of pid,
// and reads the clock ticks of the whole process. (/proc/PID/status and
// schedstat describe the main thread only; Go programs have several.)
func ReadUsage(pid int) (Usage, error) {
	st, err := ReadStat(pid)
	if err != nil {
		return Usage{}, err
	}
	u := Usage{Ticks: st.Utime + st.Stime}
	dir := path(pid, "task")
	ents, err := os.ReadDir(dir)
	if err != nil {
		return Usage{}, err
	}
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		st, err1 := os.ReadFile(filepath.Join(dir, e.Name(), "status"))
		ss, err2 := os.ReadFile(filepath.Join(dir, e.Name(), "schedstat"))
		if err1 != nil || err2 != nil {
			continue // the thread exited meanwhile
		}
		vol, nonvol, err := ParseCtxt(st)
		if err != nil {
			return Usage{}, err
		}
		ns, err := ParseSchedstat(ss)
		if err != nil {
			return Usage{}, err
		}
		u.CPUNanos += ns
		u.Switches += vol + nonvol
		u.Threads++
	}
	return u, nil
}

// SumUsage adds up ReadUsage over pids, skipping those that are gone.
func SumUsage(pids []int) Usage {
	var total Usage
	for _, pid := range pids {
		if u, err := ReadUsage(pid); err == nil {
			total = total.Add(u)
		}
	}
	return total
}
