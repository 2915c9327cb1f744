package svctl

// overview is what svctl --help and svctl help print.
const overview = `usage: svctl VERB [OPTIONS] DIR...

Controls and reports services run by supervise (ours or daemontools').

  status [--json] DIR...       one line per service; --json: one JSON object per line
  up DIR...                    start, wait until up and ready
  down DIR...                  stop, wait until down
  once DIR...                  start without restarting, wait until up and ready
  restart DIR...               stop and start again, wait for the new process to be ready
  pause | cont DIR...          send STOP | CONT, wait until paused | continued
  hup | alarm | interrupt | quit | term | kill | usr1 | usr2 DIR...
                               send that signal to the service
  exit DIR...                  make the supervisor exit once the service is down; wait for it
  wait [-t SECS] [--any] up|ready|down DIR...
                               wait, sending nothing
  log [-f] [-n N] [--logdir PATH] DIR
                               the service's log (DIR/log/main) with readable times
  serve [--listen ADDR] DIR... Prometheus metrics and a dashboard of the services of the
                               scan directories DIR, read-only, on 127.0.0.1:9717
  help [VERB]                  this text, or a verb's

Control verbs wait at most -w SECS (default 10; -w 0: do not wait).

Exit codes: status: 0 every service up and ready, 3 some not, 4 some without
a running supervisor (or unreadable). Other verbs: 0 done, 1 a service did not
reach the state in time (named on stderr), 100 usage, 111 system error (a DIR
that cannot be opened, controlled or watched).
`

const controlExit = `
Exit codes: 0 every service reached the state; 1 one did not within the wait
(each named on stderr with what it is doing now); 100 usage; 111 a DIR could
not be opened, controlled (no supervisor running) or watched.
`

const waitOption = `
  -w SECS    wait at most SECS seconds (fractions allowed; default 10);
             -w 0 sends and returns at once; also --wait SECS
`

func controlVerb(name, letters, goal, text string) verb {
	return verb{name: name, letters: letters, goal: goal, usage: name + " [-w SECS] DIR...",
		help: text + waitOption + controlExit, run: runControl}
}

func signalVerb(name, letter, signal string) verb {
	note := ""
	if letter == "q" || letter == "1" || letter == "2" {
		note = "\nOur supervise obeys " + letter + "; daemontools 0.76's ignores it.\n"
	}
	return verb{name: name, letters: letter, usage: name + " DIR...",
		help: "Sends " + signal + " to each service's process (svc -" + letter + `) and returns
once the command is written: there is no state to wait for.
` + note + `
Exit codes: 0 written; 100 usage; 111 a DIR could not be opened or controlled
(no supervisor running).
`, run: runControl}
}

// verbs is every verb but help and log (internal/logview: see main).
// serve runs another program (ServeProgram).
var verbs = []verb{
	{name: "status", usage: "status [--json] DIR...", help: `Prints one line per service, for example

  hello: up (pid 4242) 12s, ready 11s; restarts 3; last exit 1 at 08:12:03; normally up
  db: down 5s, want up; start error: unable to start run: access denied; normally up
  dead: supervisor not running

The state (up, down, stopping, finishing, backoff, failed), the pid, the
seconds since the state changed, readiness (our supervise only), paused, what
is wanted when it differs; then restarts, the last exit, the start error, the
backoff, the service's status text (our supervise only) and the down file.

  --json     one JSON object per line: the keys of supervise/state.json plus
             dir, supervised, source (state.json or status) and error

Exit codes (LSB): 0 every service is up and ready; 3 some service is not; 4
some service has no running supervisor or cannot be read.
`, run: runStatus},
	controlVerb("up", "u", "ready", `Starts each service (svc -u) and restarts it whenever it stops, then waits
until it is up and ready.
`),
	controlVerb("down", "d", "down", `Stops each service (svc -d: its down-signal, TERM by default, then CONT) and
keeps it down, then waits until it is down.
`),
	controlVerb("once", "o", "once", `Starts each service without restarting it when it stops (svc -o), then waits
until it is up and ready, or has run and stopped.
`),
	controlVerb("restart", "ru", "restart", `Restarts each service and waits until a new process is up and ready. Our
supervise gets "ru" (its down-signal, TERM by default, then CONT; then up),
daemontools' supervise "tcu" (TERM, CONT, up), as runit's sv restart.
`),
	controlVerb("pause", "p", "pause", `Sends STOP to each service (svc -p) and waits until it shows as paused.
`),
	controlVerb("cont", "c", "cont", `Sends CONT to each service (svc -c) and waits until it no longer shows as
paused.
`),
	controlVerb("exit", "x", "exit", `Tells each supervisor to exit once its service is down (svc -x) and waits
until it is gone; a supervisor not running counts as gone. Stop the service
first (svctl down), or exit waits for it in vain.
`),
	signalVerb("hup", "h", "HUP"),
	signalVerb("alarm", "a", "ALRM"),
	signalVerb("interrupt", "i", "INT"),
	signalVerb("quit", "q", "QUIT"),
	signalVerb("term", "t", "TERM"),
	signalVerb("kill", "k", "KILL"),
	signalVerb("usr1", "1", "USR1"),
	signalVerb("usr2", "2", "USR2"),
	{name: "wait", usage: "wait [-t SECS] [--any] up|ready|down DIR...", help: `Waits, sending nothing, until every service is in the state:

  up       up (ready or not)
  ready    up and ready
  down     down (no ./run process: down, backoff or failed)

A service whose supervisor is not running yet, or whose supervise/ does not
exist yet, is waited for too (svscan may be about to start it).

  -t SECS    wait at most SECS seconds (fractions allowed; default 10);
             -t 0 checks once; also --timeout SECS
  --any      until one service is in the state, not every one

Exit codes: 0 reached; 1 not within the wait (each service named on stderr
with what it is doing now); 100 usage; 111 a DIR could not be opened or
watched.
`, run: runWait},
	{name: "serve", usage: ServeUsage, help: ServeHelp, run: runServe},
}
