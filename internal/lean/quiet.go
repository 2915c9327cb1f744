//go:build daemontools_quiet

package lean

import _ "unsafe" // for go:linkname

// forcegcperiod is the Go runtime's bound on the time between two garbage
// collections when GOGC is on, and on how long its monitor thread (sysmon)
// sleeps while every processor is idle: half of it, one minute. Those two
// wake-ups a minute are all an idle supervise does, yet on a virtual
// machine each costs a few hundred microseconds of CPU, which over 100
// services is several times the whole idle cost of daemontools 0.76.
// The runtime reads it in those two places only (go1.26 runtime/proc.go
// and mgc.go).
//
//go:linkname forcegcperiod runtime.forcegcperiod
var forcegcperiod int64

// Quiet stops the runtime's idle wake-ups: sysmon then sleeps until the
// next timer, or until the program has work again, and the 2-minute forced
// garbage collection no longer happens (collections triggered by heap
// growth do). The build needs -ldflags=-checklinkname=0, which the
// Makefile passes with the daemontools_quiet tag; other builds get the
// no-op of quiet_off.go.
func Quiet() { forcegcperiod = 1 << 62 }

// Quieted reports whether Quiet does anything in this build.
const Quieted = true
