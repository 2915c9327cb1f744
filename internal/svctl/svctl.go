package svctl

import (
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/daemontools-go/daemontools/internal/diag"
	"github.com/daemontools-go/daemontools/internal/logview"
)

// Exit codes of the control verbs and wait.
const (
	exitTimeout = 1 // a service did not reach the state in time
)

// defaultWait is the wait of the control verbs and of wait, without -w or -t.
const defaultWait = 10 * time.Second

// cli is one run of svctl.
type cli struct {
	stdout, stderr io.Writer
	log            diag.Logger
	// observe, when set (tests), sees every probe made while waiting.
	observe func(e *entry)
}

// Main runs svctl with args (args[0] is the program name) and returns the
// error that carries its exit code (diag.Code).
func Main(stdout, stderr io.Writer, args []string) error {
	c := &cli{stdout: stdout, stderr: stderr, log: diag.Logger{Prog: "svctl", W: stderr}}
	return c.main(args)
}

// verb is one of svctl's verbs.
type verb struct {
	name    string
	letters string // control letters sent; "" for none
	goal    string // the wait's goal; "" for none
	usage   string // the usage line after "svctl "
	help    string // what --help prints after the usage line
	run     func(c *cli, v *verb, args []string) error
}

func (c *cli) main(args []string) error {
	if len(args) < 2 {
		return c.usage(nil, "")
	}
	name, rest := args[1], args[2:]
	switch name {
	case "-h", "--help", "help":
		if name == "help" && len(rest) > 0 {
			if len(rest) > 1 {
				return c.usage(nil, "help takes one verb")
			}
			if rest[0] == "log" {
				return logview.Main(c.stdout, c.stderr, []string{"--help"})
			}
			v := lookup(rest[0])
			if v == nil {
				return c.usage(nil, "unknown verb "+strconv.Quote(rest[0]))
			}
			return c.printHelp(v)
		}
		return c.printHelp(nil)
	}
	if name == "log" { // internal/logview parses its own options
		return logview.Main(c.stdout, c.stderr, rest)
	}
	v := lookup(name)
	if v == nil {
		return c.usage(nil, "unknown verb "+strconv.Quote(name))
	}
	return v.run(c, v, rest)
}

func lookup(name string) *verb {
	for i := range verbs {
		if verbs[i].name == name {
			return &verbs[i]
		}
	}
	return nil
}

// usage prints why (when not empty) and returns the usage error of v (of
// svctl when v is nil): exit code 100.
func (c *cli) usage(v *verb, why string) error {
	if why != "" {
		prefix := "svctl: "
		if v != nil {
			prefix += v.name + ": "
		}
		io.WriteString(c.stderr, prefix+why+"\n") //nolint:errcheck // nowhere to report it
	}
	if v == nil {
		return c.log.UsageError("svctl VERB [OPTIONS] DIR... (svctl help: the verbs)")
	}
	return c.log.UsageError("svctl " + v.usage)
}

func (c *cli) printHelp(v *verb) error {
	var b strings.Builder
	if v == nil {
		b.WriteString(overview)
	} else {
		b.WriteString("usage: svctl " + v.usage + "\n\n" + v.help)
	}
	_, err := io.WriteString(c.stdout, b.String())
	return err
}

// options are the parsed options of one verb.
type options struct {
	json, any bool
	wait      time.Duration
}

// errHelp is --help among the options.
var errHelp = errors.New("help")

// parseOptions parses the options at the front of args that the verb
// accepts (allowed lists them: "json", "any", "w", "t") and returns the
// operands after them. Options end at "--" (consumed), at "-" and at the
// first word not starting with '-'.
func parseOptions(o *options, allowed string, args []string) ([]string, error) {
	has := func(name string) bool {
		for _, a := range strings.Fields(allowed) {
			if a == name {
				return true
			}
		}
		return false
	}
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return args[1:], nil
		}
		if len(a) < 2 || a[0] != '-' {
			return args, nil
		}
		args = args[1:]
		name, value, hasValue := a, "", false
		if i := strings.IndexByte(a, '='); i > 0 && strings.HasPrefix(a, "--") {
			name, value, hasValue = a[:i], a[i+1:], true
		}
		flag := name == "-h" || name == "--help" || name == "--json" || name == "--any"
		if flag && hasValue {
			return nil, errors.New("option " + name + " takes no value")
		}
		switch {
		case name == "-h" || name == "--help":
			return nil, errHelp
		case name == "--json" && has("json"):
			o.json = true
		case name == "--any" && has("any"):
			o.any = true
		case (name == "-w" || name == "--wait") && has("w"), (name == "-t" || name == "--timeout") && has("t"):
			if !hasValue {
				if len(args) == 0 {
					return nil, errors.New("option " + name + " requires SECS")
				}
				value, args = args[0], args[1:]
			}
			d, err := parseSecs(value)
			if err != nil {
				return nil, errors.New(name + ": " + err.Error())
			}
			o.wait = d
		case len(a) > 2 && a[1] != '-' && (a[1] == 'w' && has("w") || a[1] == 't' && has("t")):
			// -w5, -t0.5
			d, err := parseSecs(a[2:])
			if err != nil {
				return nil, errors.New(a[:2] + ": " + err.Error())
			}
			o.wait = d
		default:
			return nil, errors.New("unknown option " + a)
		}
	}
	return args, nil
}

// parseSecs reads a number of seconds, fractions allowed.
func parseSecs(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > math.MaxInt64/float64(time.Second) {
		return 0, errors.New("not a number of seconds: " + strconv.Quote(s))
	}
	return time.Duration(f * float64(time.Second)), nil
}

// formatSecs renders d as seconds: "10s", "0.5s".
func formatSecs(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
}

// parse is parseOptions for v, with its usage errors and --help: when
// done, the verb returns err at once.
func (c *cli) parse(v *verb, o *options, allowed string, args []string) (rest []string, done bool, err error) {
	rest, err = parseOptions(o, allowed, args)
	if err == errHelp {
		return nil, true, c.printHelp(v)
	}
	if err != nil {
		return nil, true, c.usage(v, err.Error())
	}
	return rest, false, nil
}

// needDirs is the usage error for a verb given no directory.
func (c *cli) needDirs(v *verb, dirs []string) error {
	if len(dirs) == 0 {
		return c.usage(v, "no DIR given")
	}
	return nil
}
