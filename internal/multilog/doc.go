// Package multilog is daemontools 0.76's multilog: it reads lines from
// standard input and, for each line, runs a script of actions that select
// or deselect it by pattern, print it to standard error, keep it in a status
// file, and append it to automatically rotated log directories.
//
// The pieces are separate and testable on their own:
//
//   - script.go parses the arguments into actions, with 0.76's quirks;
//   - match.go is the pattern matcher ('*' without backtracking);
//   - lines.go cuts input into lines and runs the actions on each line;
//   - logdir.go (set-up, crash recovery, the size rule of current),
//     rotate.go (rotation and processors) and finish.go (archives and
//     the file count) hold the log directory protocol;
//   - statusfile.go is the =file action;
//   - run.go is the main loop: large reads from standard input, everything
//     written before the next blocking read, SIGTERM and SIGALRM acted on
//     at read boundaries.
//
// Every "pausing" retry loop sleeps through Env.Sleep so tests can make the
// 5-second pauses short; the clock is Env.Now.
package multilog
