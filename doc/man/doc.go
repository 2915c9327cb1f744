// Package man holds the manual pages of the suite: one page per program, in
// section 8 as Debian's, written in markdown as NAME.8.md beside this file.
// `make man` renders them to roff with go-md2man (a tool dependency in
// go.mod, `go tool go-md2man`) into bin/man, and `make install` installs
// them into $(PREFIX)/share/man/man8; the roff is never committed.
//
// A page is go-md2man's markdown: a title line
//
//	NAME 8 "YYYY-MM-DD" "daemontools in Go" "System Manager's Manual"
//
// underlined with '=', then the sections as level-1 headings (NAME,
// SYNOPSIS, DESCRIPTION, OPTIONS, FILES, optionally ENVIRONMENT, EXIT
// STATUS, EXAMPLES, DIFFERENCES FROM DAEMONTOOLS 0.76 or HISTORY, SEE
// ALSO), subsections as level-3 headings (a level-2 heading would become a
// section), options and files as definition lists (a term line, then
// ":   text"). Text lines must stay short enough for `mandoc -T lint`
// (80 bytes after rendering), and angle brackets outside code would be
// taken for HTML and dropped. The tests of this package check all of it.
package man
