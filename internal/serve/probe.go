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
	start    time.Time
	took     time.Duration
	scans    []scanResult
	services []probed
}

// probeAll probes the services ss (and their loggers) that a scan found,
// then calls each (when not nil) for every one, with its index, from the
// same goroutines. The work is spread over the CPUs: a probe is a dozen
// system calls.
func probeAll(ss []service, scans []scanResult, start time.Time, each func(i int, q *probed)) *pass {
	p := &pass{start: start, scans: scans, services: make([]probed, len(ss))}
	parts := 1
	if len(ss) >= 64 {
		parts = min(runtime.GOMAXPROCS(0), len(ss)/32)
	}
	work := func(from, to int) {
		for i := from; i < to; i++ {
			q := &p.services[i]
			q.service = ss[i]
			q.main, _ = probe(q.dir, start)
			var opened bool
			q.logger, opened = probe(join(q.dir, layout.Log), start)
			q.log = opened || !errors.Is(q.logger.Err, unix.ENOENT)
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

// probe reads the service directory dir (svstate.ProbeAt): our
// supervise's state.json, or the 18-byte record of Debian's.
// The directory itself could not be opened when !opened.
func probe(dir string, now time.Time) (s svstate.Service, opened bool) {
	// O_PATH: a directory to resolve names in, the cheapest to open.
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return svstate.Service{Dir: dir, Err: err}, false
	}
	defer unix.Close(fd)
	return svstate.ProbeAt(fd, dir, now), true
}
