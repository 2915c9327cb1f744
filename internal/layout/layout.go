// Package layout names every file of a service directory and of a scanned
// directory that a program of the suite reads or writes. It is the only
// place that spells them: supervise, svscan, svc, svstat, svok, svctl and
// the tests all take the names from here.
//
// A service directory (daemontools 0.76, plus the files named after s6 and
// daemontools-encore that switch on the extensions; docs/supervise.md):
//
//	run                 the service: started as ./run
//	down                present: the service is normally down
//	log/                a service directory for the service's logger
//	finish              run after every exit of ./run
//	down-signal         the signal svc -d sends instead of TERM
//	timeout-kill        ms after a stop request before SIGKILL
//	timeout-finish      ms before ./finish is killed (default 5000)
//	restart-delay       ms before restarting a service that died early
//	restart-delay-max   ms: the cap of the restart backoff
//	no-setsid           present: ./run stays in supervise's process group
//	notification-fd     readiness: the fd on which ./run writes a newline
//	notify-socket       present: readiness through sd_notify's NOTIFY_SOCKET
//	shutdown-on-exit    present: svscan as PID 1 stops everything when ./run exits
//	supervise/          supervise's own files, mode 0700:
//	  lock              flock held by the running supervisor
//	  control           FIFO: command bytes from svc
//	  ok                FIFO held open for reading: svok tells a supervisor runs
//	  status            the 18-byte status record (package status)
//	  state.json        the extended status (package svstate)
//	  instance          pid and start time of the running ./run, for adoption
//	  notify            the NOTIFY_SOCKET datagram socket
//	  log.fifo          a late log's pipe, left by svscan for supervise
//	log/main/           the logger's log directory where the how-to's log/run
//	                    (exec multilog t ./main) keeps it; svctl log reads it
//
// A multilog log directory (docs/multilog.md) holds current, the file being
// written, previous while it is being archived, and the archives
// @TAI64N.s (complete) and @TAI64N.u (left by a multilog that died).
package layout

// Files of a service directory.
const (
	Run             = "run"
	Down            = "down"
	Log             = "log"
	Finish          = "finish"
	DownSignal      = "down-signal"
	TimeoutKill     = "timeout-kill"
	TimeoutFinish   = "timeout-finish"
	RestartDelay    = "restart-delay"
	RestartDelayMax = "restart-delay-max"
	NoSetsid        = "no-setsid"
	NotificationFD  = "notification-fd"
	NotifySocket    = "notify-socket"
	ShutdownOnExit  = "shutdown-on-exit"
)

// The supervise directory and its files, relative to the service directory.
const (
	SuperviseDir = "supervise"
	Lock         = "supervise/lock"
	Control      = "supervise/control"
	OK           = "supervise/ok"
	Status       = "supervise/status"
	StatusNew    = "supervise/status.new"
	State        = "supervise/state.json"
	StateNew     = "supervise/state.json.new"
	Instance     = "supervise/instance"
	Notify       = "supervise/notify"
	LateLog      = "supervise/log.fifo"
)

// Files of a scanned directory.
const (
	// ScanLock is flock()ed by the running svscan; a dot name, so that
	// scans skip it, and so does svscanboot's DIR/*.
	ScanLock = ".svscan.lock"
)

// The log directory of a service, relative to the service directory.
const LogMain = "log/main"

// Files of a multilog log directory (daemontools 0.76's multilog).
const (
	LogCurrent   = "current"   // the file being written
	LogPrevious  = "previous"  // current, being archived
	LogProcessed = "processed" // a processor's output, becoming an archive
	LogState     = "state"     // a processor's state
	LogNewState  = "newstate"  // its next state
	LogLock      = "lock"      // flock()ed by the running multilog
)
