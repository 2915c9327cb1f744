// Package convention holds no code, only a test that keeps the house
// conventions of the module (DEVELOPERS.md) from eroding. Run by `make
// test` (go test ./...), it reads every non-test Go file of the module and
// fails, naming each place as file:line, when
//
//   - os.Exit (or syscall.Exit, unix.Exit) is used outside a package main
//     (the commands, the benchmark harness), diag.Main (where every
//     command's exit code is decided) and testutil.Main (the test-main
//     helper): library code returns errors;
//   - a value of an error type is type-asserted (err.(*T), or a type switch
//     on an error) instead of matched with errors.As, which also sees
//     wrapped errors;
//   - a string literal spells a name of a service or scanned directory that
//     package layout owns: anything under supervise/, .svscan.lock, the
//     lifecycle files (down-signal, timeout-kill, ...), or a short name
//     (run, down, log, finish, supervise) given to a file-system call or a
//     path join.
//
// Places that break a rule today, in packages being rewritten, are listed
// in the test's allow-list, each with the rule and the text that breaks
// it; an entry that no longer matches anything fails the test too, so
// that the list only shrinks.
package convention
