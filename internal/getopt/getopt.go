// Package getopt parses options the way djb's getopt clone (sgetopt) does
// for svc, softlimit and setlock.
//
// Options are recognised only at the front of the argument list; parsing
// stops at the first argument not starting with '-', at a lone "-" (which
// stays as the first operand) or at "--" (which is consumed). Flags cluster
// ("-dx"); an option that takes a value accepts it attached ("-m1000") or as
// the next argument ("-m 1000").
package getopt

import "strings"

// Opt is one parsed option: its letter and, for options taking a value, the value.
type Opt struct {
	Letter byte
	Value  string
}

// Error is a complaint in the words of sgetopt, for example
// "illegal option -- z". The program prints "NAME: " + Error() and its usage.
type Error struct {
	Missing bool // option requires an argument (otherwise: illegal option)
	Letter  byte
}

func (e *Error) Error() string {
	if e.Missing {
		return "option requires an argument -- " + string(e.Letter)
	}
	return "illegal option -- " + string(e.Letter)
}

// Parse parses args (without the program name) against spec, where a letter
// followed by ':' takes a value. It returns the options in order and the
// operands that follow them.
func Parse(args []string, spec string) (opts []Opt, operands []string, err error) {
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			k := strings.IndexByte(spec, c)
			if c == ':' || k < 0 {
				return opts, nil, &Error{Letter: c}
			}
			if k+1 < len(spec) && spec[k+1] == ':' {
				if j+1 < len(a) {
					opts = append(opts, Opt{c, a[j+1:]})
				} else if i+1 < len(args) {
					i++
					opts = append(opts, Opt{c, args[i]})
				} else {
					return opts, nil, &Error{Missing: true, Letter: c}
				}
				break
			}
			opts = append(opts, Opt{Letter: c})
		}
	}
	return opts, args[i:], nil
}

// ProgName returns what sgetopt calls the program in its complaints: the
// text of argv[0] after the last '/'.
func ProgName(argv0 string) string {
	return argv0[strings.LastIndexByte(argv0, '/')+1:]
}
