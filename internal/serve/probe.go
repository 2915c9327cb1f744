package serve

import (
	"errors"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/svstate"
)

// probed is one service as a pass read it.
type probed struct {
	service
	main   svstate.Service
	log    bool            // it has a logger: dir/log exists (any file type, as svscan decides)
	logger svstate.Service // when log
}

// pass is one reading of every service of the scan directories.
type pass struct {
	took     time.Duration
	services []probed
}

// probeAll probes the services ss (and their loggers) that a scan found,
// then calls each (when not nil) for every one, with its index, from the
// same goroutines. The work is spread over the CPUs: a probe is a dozen
// system calls.
func probeAll(ss []service, scans []scanResult, start time.Time, each func(i int, q *probed)) *pass {
	p := &pass{services: make([]probed, len(ss))}
	// Each service is read relative to its scan directory, opened once: a
	// short path to resolve, and no open of its own.
	roots := make([]int, len(scans))
	for i, r := range scans {
		fd, err := unix.Open(r.Dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			fd = -1
		}
		roots[i] = fd
		if fd >= 0 {
			defer unix.Close(fd)
		}
	}
	parts := 1
	if len(ss) >= 64 {
		parts = min(runtime.GOMAXPROCS(0), len(ss)/32)
	}
	work := func(from, to int) {
		for i := from; i < to; i++ {
			q := &p.services[i]
			q.service = ss[i]
			at, path := roots[q.root], q.entry
			if at < 0 { // the scan directory went away since the scan
				at, path = unix.AT_FDCWD, q.dir
			}
			q.main = svstate.ProbeIn(at, path, q.dir, start)
			// A logger when dir/log exists, of any type, as svscan decides.
			logPath := path + "/" + layout.Log
			var st unix.Stat_t
			if err := unix.Fstatat(at, logPath, &st, 0); !errors.Is(err, unix.ENOENT) {
				q.log, q.logger = true, svstate.ProbeIn(at, logPath, join(q.dir, layout.Log), start)
			}
			if each != nil {
				each(i, q)
			}
		}
	}
	if parts == 1 {
		work(0, len(ss))
	} else {
		var wg sync.WaitGroup
		for i := range parts {
			wg.Go(func() { work(i*len(ss)/parts, (i+1)*len(ss)/parts) })
		}
		wg.Wait()
	}
	p.took = time.Since(start)
	return p
}
