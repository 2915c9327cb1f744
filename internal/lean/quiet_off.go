//go:build !daemontools_quiet

package lean

// Quiet does nothing in a build without the daemontools_quiet tag (see
// quiet.go): the runtime keeps its two idle wake-ups a minute.
func Quiet() {}

// Quieted reports whether Quiet does anything in this build.
const Quieted = false
