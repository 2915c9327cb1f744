package logview

import (
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/layout"
)

// Usage is the verb's usage line after "svctl ".
const Usage = "log [-f] [-n N] [--logdir PATH] DIR"

const help = "usage: svctl " + Usage + `

Prints the log that multilog keeps for the service DIR in DIR/` + layout.LogMain + `
(the archives @*.s and @*.u, then current), with each TAI64N label turned
into the local time, for example

  2026-12-07 20:41:18.123456 +0100 hello

  -n N           the last N lines (default 10; 0: none)
  -f             then print the lines as they are logged, across rotations,
                 until killed or the output is closed
  --logdir PATH  the log directory instead of DIR/` + layout.LogMain + `

Exit codes: 0 done; 100 usage; 111 the log could not be read or followed.
`

// options of svctl log.
type options struct {
	follow bool
	n      int
	logdir string
	help   bool
}

// usageError is a bad argument.
type usageError struct{ text string }

func (e *usageError) Error() string { return e.text }

func parse(args []string) (options, error) {
	o := options{n: 10}
	var dirs []string
	bad := func(parts ...string) (options, error) { return o, &usageError{strings.Join(parts, "")} }
	value := func(i *int) (string, bool) {
		if *i+1 >= len(args) {
			return "", false
		}
		*i++
		return args[*i], true
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			dirs = append(dirs, args[i+1:]...)
			i = len(args)
		case a == "--help":
			o.help = true
		case a == "--logdir" || strings.HasPrefix(a, "--logdir="):
			v, ok := strings.CutPrefix(a, "--logdir=")
			if !ok {
				if v, ok = value(&i); !ok {
					return bad("option ", a, " requires PATH")
				}
			}
			if v == "" {
				return bad("empty log directory")
			}
			o.logdir = v
		case strings.HasPrefix(a, "--"):
			return bad("unknown option ", a)
		case len(a) > 1 && a[0] == '-':
			for j := 1; j < len(a); j++ {
				switch a[j] {
				case 'f':
					o.follow = true
				case 'h':
					o.help = true
				case 'n':
					v, ok := a[j+1:], true
					if v == "" {
						if v, ok = value(&i); !ok {
							return bad("option -n requires N")
						}
					}
					n, err := strconv.Atoi(v)
					if err != nil || n < 0 {
						return bad("-n: not a number of lines: ", strconv.Quote(v))
					}
					o.n, j = n, len(a)
				default:
					return bad("unknown option -", a[j:j+1])
				}
			}
		default:
			dirs = append(dirs, a)
		}
	}
	switch {
	case o.help:
	case len(dirs) > 1:
		return bad("one service directory at a time, not ", strconv.Itoa(len(dirs)))
	case len(dirs) == 1 && o.logdir == "":
		o.logdir = strings.TrimSuffix(dirs[0], "/") + "/" + layout.LogMain
	case len(dirs) == 0 && o.logdir == "":
		return bad("missing service directory")
	}
	return o, nil
}

// Main is the verb svctl log: args are what follows "svctl log". It
// returns svctl's errors (see the package comment) for diag.Code: a usage
// error, after "svctl: log: CAUSE" on stderr, ends with 100; a failure to
// read the log, with 111.
func Main(stdout, stderr io.Writer, args []string) error {
	log := diag.Logger{Prog: "svctl", W: stderr}
	o, err := parse(args)
	if err != nil {
		io.WriteString(stderr, "svctl: log: "+err.Error()+"\n") //nolint:errcheck // nowhere to report it
		return log.UsageError("svctl " + Usage)
	}
	if o.help {
		if _, err := io.WriteString(stdout, help); err != nil {
			return report(log, &writeError{err})
		}
		return nil
	}
	return report(log, view(stdout, o))
}

// report turns an error of view into svctl's message and exit code. A
// reader of the output that went away ends it quietly.
func report(log diag.Logger, err error) error {
	var we *writeError
	var pe *os.PathError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &we) && errors.Is(we.err, syscall.EPIPE):
		return diag.Exit(diag.ExitTemporary)
	case errors.As(err, &we):
		return log.Failure(diag.ExitTemporary, "unable to write output", diag.Err(we.err))
	case errors.As(err, &pe):
		return log.Failure(diag.ExitTemporary, "unable to ", pe.Op, " ", pe.Path, diag.Err(pe.Err))
	}
	return err
}

// view prints the log as o says.
func view(w io.Writer, o options) error {
	d, err := openDir(o.logdir)
	if err != nil {
		return err
	}
	defer d.close()
	p := newPrinter(w, localClock(), o.follow)
	var f *follower
	if o.follow {
		if f, err = d.watch(p, w); err != nil {
			return err
		}
		defer f.close()
	}
	h, err := d.history(o.n, !o.follow, false)
	if err != nil {
		return err
	}
	defer h.close()
	buf := make([]byte, readSize)
	first, off := h.locate(h.first)
	for i := first; i < len(h.segs); i++ {
		// Without -f, the log as it was when opened; with -f, current is
		// read to its end and then followed.
		s := h.segs[i]
		var r io.Reader = io.NewSectionReader(s.f, off, s.size-off)
		if f != nil && i == len(h.segs)-1 {
			if _, err := s.f.Seek(off, io.SeekStart); err != nil {
				return &os.PathError{Op: "read", Path: s.f.Name(), Err: cause(err)}
			}
			r = s.f
		}
		off = 0
		if err := p.copy(r, s.f.Name(), buf); err != nil {
			return err
		}
		if i < len(h.segs)-1 && s.unsafe() {
			p.endLine()
		}
	}
	if f == nil {
		return p.end()
	}
	if n := len(h.segs); n > 0 {
		f.s, h.segs[n-1] = h.segs[n-1], nil
	}
	return f.run()
}
