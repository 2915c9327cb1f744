// Package logview reads the logs that multilog keeps: the verb
//
//	svctl log [-f] [-n N] [--logdir PATH] DIR
//
// (Main) prints a service's log with readable local times, and Tail gives
// the last lines of a log directory to other programs (the dashboard).
//
// # The log
//
// The log directory is DIR/log/main, where the how-to's log/run
// (exec multilog t ./main) keeps it, or PATH. Its files make one stream:
// the archives @TAI64N.s and @TAI64N.u in name order (multilog names them
// after the time it archives them, so name order is time order), previous
// while multilog archives it, then current. A line that multilog cut at
// its size limit goes on in the next file; a .u archive, left by a
// multilog that died, ends its last line even without a newline. A log
// directory without current (multilog not started yet) is a log of its
// archives, or an empty one.
//
// # Times
//
// A line that starts with a TAI64N label, '@' and 24 hex digits, then a
// space (what multilog t writes) is printed with the label replaced by its
// time in the local zone, as TimeLayout:
//
//	@4000000069d5ea1b075bcd64 hello  →  2026-04-08 05:39:29.123456 +0000 hello  (TZ=UTC)
//
// date, time with microseconds (multilog's labels have microseconds) and
// the numeric offset of the local zone from UTC, ±hhmm (seconds of an old
// local mean time offset are dropped). The zone is tai64nlocal's: $TZ read
// as glibc reads it (zone files, POSIX TZ rules, empty for UTC), and
// /etc/localtime when TZ is unset. Other lines, and labels beyond ±10^17
// seconds, are printed unchanged.
//
// # Options
//
// -n N prints the last N lines (default 10, as tail), reading the files
// backward from the end of current only as far as the start of the N-th
// last line; -n 0 prints none. Without -f, the log is printed as it was
// when opened, a last line without a newline as it is.
//
// -f then follows the log as multilog writes it, until the output cannot
// be written (a pipe whose reader has gone ends it at once, without
// waiting for a line) or the process is killed. It is driven by inotify
// on the log directory, never by a timer. A line is printed once it is
// whole (its newline written), or once 1 MiB of it has come, after which
// the rest is printed as it comes; a line being written when svctl log
// starts counts as new. Rotations lose and repeat nothing: the follower
// reads a file to its end once multilog has moved it away (multilog never
// writes to a file after that), then goes on with the next file in name
// order, the archives it fell behind on included. It cannot follow what a
// processor (multilog's !processor) rewrites: after a file it read as
// current, it goes on with current.
//
// # Errors
//
// Usage errors print "svctl: log: CAUSE" and "svctl: usage: svctl log
// ..." and end with 100, as svctl's other verbs; a file that cannot be read, "svctl: fatal: unable to open
// DIR/log/main: file does not exist" and the like, with 111. A pipe on
// the output whose reader has gone ends it with 111 and no message.
package logview
