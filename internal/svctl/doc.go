// Package svctl is the svctl program: the modern control tool beside svc,
// svstat and svok, with verbs in the style of runit's sv and systemctl. It
// works on our supervise and on Debian's (daemontools 0.76), reading every
// service through package svstate: supervise/state.json where our supervisor
// writes it, otherwise the document derived from the 18-byte
// supervise/status.
//
//	svctl status [--json] DIR...
//	svctl up|down|once|restart|pause|cont|exit [-w SECS] DIR...
//	svctl hup|alarm|interrupt|quit|term|kill|usr1|usr2 DIR...
//	svctl wait [-t SECS] [--any] up|ready|down DIR...
//	svctl help [VERB]
//
// Every verb takes --help (or -h). Options come before the directories;
// "--" ends them.
//
// # Status lines
//
// svctl status prints one line per DIR, DIR as given:
//
//	hello: up (pid 4242) 12s, ready 11s; restarts 3; last exit 1 at 08:12:03; normally up
//	db: down 5s, want up; last exit SIGKILL at 08:11:40; start error: unable to start run: access denied; normally up
//	web: backoff 2s; restarts 7; last exit 1 at 08:12:03; backoff until 08:12:05; normally up
//	cron: up (pid 51) 3600s, paused, want down; normally down
//	dead: supervisor not running
//
// The grammar (seconds are whole, counted down to 0 for a time in the
// future; TIME is the local time HH:MM:SS, or YYYY-MM-DD HH:MM:SS when not
// today):
//
//	LINE   = DIR ": " BODY
//	BODY   = "supervisor not running"
//	       | "unable to open directory: " ERROR
//	       | "unable to read status: " ERROR
//	       | STATE *( "; " DETAIL )
//	STATE  = NAME [" (pid " PID ")"] " " SECS "s" [READY] [", paused"] [WANT]
//	NAME   = "up" | "down" | "stopping" | "finishing" | "backoff" | "failed"
//	READY  = ", ready " SECS "s" | ", ready" | ", not ready"
//	WANT   = ", want down"         (up, wanted down: a stop is on its way)
//	       | ", want up"           (not up, wanted up; never with backoff)
//	DETAIL = "restarts " N         (N > 0)
//	       | "last exit " (CODE | SIGNAL [" (core dumped)"] | "unknown") " at " TIME
//	       | "start error: " TEXT
//	       | "backoff until " TIME
//	       | "status " QUOTED      (the service's last sd_notify STATUS=)
//	       | "normally up" | "normally down"     (always, and last)
//
// NAME is the state of state.json; the pid is shown when there is one; SECS
// after it counts from the last state change (for Debian's supervise: the
// last pid change, as svstat's seconds). READY appears only with our
// supervisor, which tracks readiness (Debian's supervise does not: there a
// service counts as ready as soon as it is up, and the line says nothing).
// SIGNAL is the signal's name (SIGTERM). TEXT and QUOTED have control
// characters escaped, so that a line is always one line. Restarts, last
// exit, start error, backoff and status come from state.json only.
//
// svctl status --json prints one JSON object per line instead: exactly
// svstate.Status, the keys of state.json plus dir, supervised, source and
// error.
//
// Exit codes of status, as an LSB init script's: 0 if every service is up
// and ready; 3 if any is not (down, starting, stopping, finishing, in
// backoff, failed, or up but not ready yet); 4 if any has no running
// supervisor or cannot be read at all (status unknown). 4 wins over 3.
//
// # Control verbs and waiting
//
// The control verbs send svc's letters to DIR/supervise/control through
// svdir.Send, one write per directory: up u, down d, once o, pause p, cont
// c, hup h, alarm a, interrupt i, quit q, term t, kill k, usr1 1, usr2 2,
// exit x (q, 1 and 2 are daemontools-encore's, which our supervise obeys
// and 0.76's ignores). restart sends "ru" to our supervisor (state.json present: r sends
// the service's down-signal, then CONT, leaving what it wants unchanged)
// and "tcu" to Debian's (TERM, CONT, up, as runit's sv restart).
//
// Then they wait, at most -w SECS (default 10; -w 0 does not wait) for:
//
//	up        up and ready
//	once      up and ready, or run and ended since the command
//	down      down (down, backoff or failed: no ./run running)
//	restart   up and ready with a new pid: one other than before the
//	          command, or the same with a later since (a reused pid)
//	pause     paused, or not up
//	cont      not paused
//	exit      the supervisor gone (already gone counts)
//
// The signal verbs (hup alarm interrupt quit term kill usr1 usr2) have no
// state to wait for and return once the letters are written.
//
// svctl wait up|ready|down sends nothing and waits, at most -t SECS
// (default 10; -t 0 checks once), until every DIR is up (ready or not),
// up and ready, or down as above; with --any, until one of them is.
//
// Every wait but exit's needs a running supervisor to be reached. A DIR
// whose supervisor is not running, or whose supervise/ does not exist yet,
// is waited for like any other state: svscan may be about to start it; at
// the deadline the message says "supervisor not running". A DIR that does
// not exist, or that cannot be watched, fails at once.
//
// Waiting is event-driven, never a polling loop: inotify on each
// DIR/supervise/ (both supervisors write status.new and rename it to status;
// ours also renames state.json.new to state.json) re-probes a service when
// its status or state.json is replaced or written, or when supervise/ok is
// opened while no supervisor ran (a supervisor starting); while
// supervise/ does not exist, a watch on DIR waits for it. For exit, svctl
// holds supervise/ok open for writing and polls it for POLLERR, which the
// writer of a FIFO gets when its last reader, the supervisor, closes it. A
// timer ends the wait at the deadline.
//
// Exit codes of the control verbs and wait: 0 when every service reached
// the state (any one, with --any); 1 when one did not within the wait, each
// named on stderr with what it is doing now; 100 for a usage error; 111 for
// a system error: a DIR that cannot be opened, controlled (its supervisor
// not running, for every verb but exit) or watched. 111 wins over 1.
package svctl
