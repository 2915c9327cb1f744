package svctl

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/svdir"
	"github.com/daemontools-go/daemontools/internal/svstate"
)

// runStatus is svctl status.
func runStatus(c *cli, v *verb, args []string) error {
	var o options
	dirs, done, err := c.parse(v, &o, "json", args)
	if done {
		return err
	}
	if err := c.needDirs(v, dirs); err != nil {
		return err
	}
	now := time.Now()
	// One directory after the other, in this goroutine: ten system calls
	// each (svstat makes eight), no scheduling between threads.
	var out bytes.Buffer
	code, err := appendStatus(&out, dirs, o.json, now)
	if err != nil {
		return err
	}
	if _, err := out.WriteTo(c.stdout); err != nil {
		return err
	}
	if code != statusOK {
		return diag.Exit(code)
	}
	return nil
}

// appendStatus writes the status lines (JSON objects) of dirs to out and
// returns the exit code they call for.
func appendStatus(out *bytes.Buffer, dirs []string, asJSON bool, now time.Time) (int, error) {
	code := statusOK
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	var line []byte
	for _, dir := range dirs {
		s, opened := probeDir(dir, now)
		if asJSON {
			if err := enc.Encode(s.Status()); err != nil {
				return 0, err
			}
		} else {
			line = append(line[:0], dir...)
			line = append(line, ": "...)
			if opened {
				line = AppendLine(line, &s, now)
			} else {
				line = append(line, "unable to open directory: "...)
				line = append(line, errstr.Text(s.Err)...)
			}
			line = append(line, '\n')
			out.Write(line)
		}
		code = max(code, statusCode(&s))
	}
	return code, nil
}

// probeDir probes dir at now; opened is false when dir itself cannot be
// opened (s.Err says why).
func probeDir(dir string, now time.Time) (s svstate.Service, opened bool) {
	if dir == "" { // as chdir(""): not "/" + supervise/...
		return svstate.Service{Dir: dir, Err: unix.ENOENT}, false
	}
	// The names inside dir are resolved from here (no descriptor of dir:
	// two system calls fewer); only when that fails is dir looked at.
	s = svstate.ProbeIn(unix.AT_FDCWD, dir, dir, now)
	if s.Source == "" && s.Err != nil {
		var st unix.Stat_t
		if err := unix.Stat(dir, &st); err != nil {
			return svstate.Service{Dir: dir, Err: err}, false
		}
		if st.Mode&unix.S_IFMT != unix.S_IFDIR {
			return svstate.Service{Dir: dir, Err: unix.ENOTDIR}, false
		}
	}
	return s, true
}

// The goals of the control verbs and of wait; the package documentation
// tells what each waits for.
var goals = map[string]*goal{
	"up": {what: "up", reached: func(e *entry) (bool, error) {
		return e.cur.Supervised && e.cur.Source != "" && e.cur.Doc.State == svstate.Up, nil
	}},
	"ready": {what: "up and ready", reached: func(e *entry) (bool, error) { return upReady(e), nil }},
	"once": {what: "up and ready, or run once", reached: func(e *entry) (bool, error) {
		return upReady(e) || isDown(&e.cur) && !e.cur.Doc.Since.Before(e.sentAt), nil
	}},
	"down": {what: "down", reached: func(e *entry) (bool, error) { return isDown(&e.cur), nil }},
	"restart": {what: "up and ready with a new pid", reached: func(e *entry) (bool, error) {
		// since is compared within one source only: state.json's is the
		// last state change, the record's the last pid change.
		b, s := &e.before.Doc, &e.cur.Doc
		return upReady(e) && (s.Pid != b.Pid || e.cur.Source == e.before.Source && s.Since.After(b.Since)), nil
	}},
	"pause": {what: "paused", reached: func(e *entry) (bool, error) {
		s := &e.cur
		return s.Supervised && s.Source != "" && (s.Doc.Paused || s.Doc.State != svstate.Up), nil
	}},
	"cont": {what: "continued", reached: func(e *entry) (bool, error) {
		return e.cur.Supervised && e.cur.Source != "" && !e.cur.Doc.Paused, nil
	}},
	"exit": {what: "its supervisor to exit", holdOK: true, reached: func(e *entry) (bool, error) {
		return e.holdOK()
	}},
}

// upReady reports whether e is up and ready. Once e has shown state.json,
// a probe that falls back to the 18-byte record is not believed ready:
// our supervisor is between its two renames (a record alone counts a
// service as ready as soon as it is up), and the next rename will tell.
func upReady(e *entry) bool {
	s := &e.cur
	if e.sawState && s.Source != svstate.FromState {
		return false
	}
	return s.Supervised && s.Source != "" && s.Doc.State == svstate.Up && s.Doc.Ready
}

func isDown(s *svstate.Service) bool {
	if !s.Supervised || s.Source == "" {
		return false
	}
	switch s.Doc.State {
	case svstate.Down, svstate.Backoff, svstate.Failed:
		return true
	}
	return false
}

// runControl is a control verb: send the letters to every DIR, then wait
// for the verb's goal.
func runControl(c *cli, v *verb, args []string) error {
	g := goals[v.goal]
	o, allowed := options{wait: defaultWait}, "w"
	if g == nil {
		o.wait, allowed = 0, "" // nothing to wait for
	}
	dirs, done, err := c.parse(v, &o, allowed, args)
	if done {
		return err
	}
	if err := c.needDirs(v, dirs); err != nil {
		return err
	}
	var w *watcher
	if o.wait > 0 {
		if w, err = newWatcher(); err != nil {
			return c.log.Failure(diag.ExitTemporary, "unable to watch: ", errstr.Text(err))
		}
		defer w.close()
	}
	ents, failed := c.open(w, dirs)
	defer closeAll(ents)
	for _, e := range ents {
		if e.out {
			continue
		}
		dir, letters := e.dir, v.letters
		if v.name == "restart" || w != nil {
			e.before = e.probe(time.Now())
			e.cur = e.before
		}
		if v.name == "restart" && e.before.Source != svstate.FromState {
			letters = "tcu" // Debian's supervise knows no r
		}
		e.sentAt = time.Now()
		if err := svdir.Send(e.fd, []byte(letters)); err != nil {
			e.out = true
			var ce *svdir.ControlError
			switch {
			case v.name == "exit" && errors.Is(err, svdir.ErrNotRunning):
				// Gone already: what exit waits for.
				e.done, e.out = true, false
			case errors.As(err, &ce) && ce.Write:
				c.log.Warn("error writing commands to ", dir, diag.Err(ce.Err))
				failed = true
			case errors.Is(err, svdir.ErrNotRunning):
				c.log.Warn("unable to control ", dir, ": supervisor not running")
				failed = true
			default:
				c.log.Warn("unable to control ", dir, ": unable to open supervise/control", diag.Err(err))
				failed = true
			}
			continue
		}
		e.dirty = true
	}
	timedOut := false
	if w != nil {
		if timedOut, err = c.wait(w, ents, g, o.wait, false); err != nil {
			return err
		}
	}
	switch {
	case failed:
		return diag.Exit(diag.ExitTemporary)
	case timedOut:
		return diag.Exit(exitTimeout)
	}
	return nil
}

// open opens the directories and, with a watcher, watches them. failed
// reports one that could not be opened (left out) or watched (out).
func (c *cli) open(w *watcher, dirs []string) (ents []*entry, failed bool) {
	for _, dir := range dirs {
		e, err := openEntry(dir)
		if err != nil {
			c.log.Warn("unable to open ", dir, diag.Err(err))
			failed = true
			continue
		}
		ents = append(ents, e)
		if w == nil {
			continue
		}
		if err := w.arm(e); err != nil {
			c.log.Warn("unable to watch ", dir, diag.Err(err))
			failed, e.out = true, true
		}
	}
	return ents, failed
}

func closeAll(ents []*entry) {
	for _, e := range ents {
		e.close()
	}
}

// wait waits for g on ents for d and reports on stderr every entry that
// did not reach it, with what it does now.
func (c *cli) wait(w *watcher, ents []*entry, g *goal, d time.Duration, any bool) (timedOut bool, err error) {
	if err := w.wait(ents, g, time.Now().Add(d), any, c.observe); err != nil {
		return false, c.log.Failure(diag.ExitTemporary, "unable to wait: ", errstr.Text(err))
	}
	pending := 0
	for _, e := range ents {
		switch {
		case e.done && any:
			return false, nil
		case !e.done && !e.out:
			pending++
		}
	}
	if pending == 0 {
		return false, nil
	}
	now := time.Now()
	var line []byte
	for _, e := range ents {
		if e.done || e.out {
			continue
		}
		s := e.probe(now)
		line = append(line[:0], e.dir...)
		line = append(line, ": timed out after "...)
		line = append(line, formatSecs(d)...)
		line = append(line, " waiting for "...)
		line = append(line, g.what...)
		line = append(line, "; now: "...)
		line = AppendLine(line, &s, now)
		c.log.Warn(string(line))
	}
	return true, nil
}

// runWait is svctl wait.
func runWait(c *cli, v *verb, args []string) error {
	o := options{wait: defaultWait}
	rest, done, err := c.parse(v, &o, "t any", args)
	if done {
		return err
	}
	if len(rest) == 0 {
		return c.usage(v, "no state given (up, ready or down)")
	}
	g := goals[rest[0]]
	if g == nil || (rest[0] != "up" && rest[0] != "ready" && rest[0] != "down") {
		return c.usage(v, "unknown state \""+rest[0]+"\" (up, ready or down)")
	}
	dirs, done, err := c.parse(v, &o, "t any", rest[1:])
	if done {
		return err
	}
	if err := c.needDirs(v, dirs); err != nil {
		return err
	}
	w, err := newWatcher()
	if err != nil {
		return c.log.Failure(diag.ExitTemporary, "unable to watch: ", errstr.Text(err))
	}
	defer w.close()
	ents, failed := c.open(w, dirs)
	defer closeAll(ents)
	timedOut, err := c.wait(w, ents, g, o.wait, o.any)
	switch {
	case err != nil:
		return err
	case o.any && anyDone(ents):
		return nil
	case failed:
		return diag.Exit(diag.ExitTemporary)
	case timedOut:
		return diag.Exit(exitTimeout)
	}
	return nil
}

func anyDone(ents []*entry) bool {
	for _, e := range ents {
		if e.done {
			return true
		}
	}
	return false
}
