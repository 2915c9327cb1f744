package multilog

import (
	"io"
	"os"
	"time"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

// PauseTime is how long 0.76 sleeps in every "pausing" retry loop.
const PauseTime = 5 * time.Second

// Env is what multilog needs from the outside world. Zero fields get the
// real thing: fd 0, os.Stderr, tai64.Now, time.Sleep and 5-second pauses.
type Env struct {
	In      int              // input descriptor (0)
	Stderr  io.Writer        // diagnostics and the e action (fd 2)
	Signals <-chan os.Signal // SIGTERM and SIGALRM, delivered by os/signal
	Now     func() tai64.N   // clock for line timestamps and archive names
	Sleep   func(time.Duration)
	Pause   time.Duration // length of a "pausing" sleep
}

func (e *Env) defaults() {
	if e.Stderr == nil {
		e.Stderr = os.Stderr
	}
	if e.Now == nil {
		e.Now = tai64.Now
	}
	if e.Sleep == nil {
		e.Sleep = time.Sleep
	}
	if e.Pause == 0 {
		e.Pause = PauseTime
	}
}

func (e *Env) log() diag.Logger { return diag.Logger{Prog: "multilog", W: e.Stderr} }

// pause warns "multilog: warning: PARTS, pausing: ERR" and sleeps.
func (e *Env) pause(err error, parts ...string) {
	e.log().Warn(append(parts, ", pausing", diag.Err(err))...)
	e.Sleep(e.Pause)
}

// pauseNoErr warns "multilog: warning: PARTS, pausing" and sleeps.
func (e *Env) pauseNoErr(parts ...string) {
	e.log().Warn(append(parts, ", pausing")...)
	e.Sleep(e.Pause)
}

// fatalError is a start-up failure: "multilog: fatal: TEXT", exit 111.
type fatalError struct{ text string }

func (f *fatalError) Error() string { return f.text }

func fatal(err error, parts ...string) error {
	s := ""
	for _, p := range parts {
		s += p
	}
	if err != nil {
		s += diag.Err(err)
	}
	return &fatalError{s}
}
