// Package limits turns softlimit's options into resource-limit settings and
// applies them to the running process.
//
// Each option names one or more resources and a value: decimal digits (the
// empty string counts as 0), or "=" for "soft limit := hard limit". Only the
// soft limit changes, and it is never raised above the hard limit: a larger
// value is silently lowered to it, as in daemontools 0.76.
//
// Parse checks every option before Apply changes anything, so a bad value
// leaves the process untouched. Apply allocates no memory: once RLIMIT_AS or
// RLIMIT_DATA is lowered the Go heap may be unable to grow.
package limits

import (
	"errors"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/getopt"
)

// Spec is softlimit's getopt specification: every option takes a value.
const Spec = "a:c:d:f:l:m:o:p:r:s:t:"

// resources maps each option letter to the resources it sets, in order.
// -m sets all four memory limits; -o sets RLIMIT_NOFILE (0.76 also sets
// RLIMIT_OFILE, which on Linux is the same resource).
var resources = map[byte][]int{
	'a': {unix.RLIMIT_AS},
	'c': {unix.RLIMIT_CORE},
	'd': {unix.RLIMIT_DATA},
	'f': {unix.RLIMIT_FSIZE},
	'l': {unix.RLIMIT_MEMLOCK},
	'm': {unix.RLIMIT_DATA, unix.RLIMIT_STACK, unix.RLIMIT_MEMLOCK, unix.RLIMIT_AS},
	'o': {unix.RLIMIT_NOFILE},
	'p': {unix.RLIMIT_NPROC},
	'r': {unix.RLIMIT_RSS},
	's': {unix.RLIMIT_STACK},
	't': {unix.RLIMIT_CPU},
}

// Setting sets the soft limit of one resource to Value, or to the hard
// limit when ToHard is set.
type Setting struct {
	Resource int
	Value    uint64
	ToHard   bool
}

// ErrValue is returned by Parse for a value that is neither "=" nor a
// decimal number that fits in 64 bits; softlimit prints its usage.
var ErrValue = errors.New("bad limit value")

// Parse turns options (as getopt returns them for Spec) into settings in
// command-line order. An option letter outside Spec is a programming error
// and is reported as ErrValue too.
func Parse(opts []getopt.Opt) ([]Setting, error) {
	var out []Setting
	for _, o := range opts {
		res, ok := resources[o.Letter]
		if !ok {
			return nil, ErrValue
		}
		s := Setting{ToHard: o.Value == "="}
		if !s.ToHard {
			v, err := ParseValue(o.Value)
			if err != nil {
				return nil, err
			}
			s.Value = v
		}
		for _, r := range res {
			s.Resource = r
			out = append(out, s)
		}
	}
	return out, nil
}

// ParseValue reads a limit: decimal digits only, the empty string being 0.
// Unlike 0.76, which wraps modulo 2^64, a value above 18446744073709551615
// (RLIM_INFINITY) is refused with ErrValue.
func ParseValue(s string) (uint64, error) {
	var v uint64
	for i := 0; i < len(s); i++ {
		d := uint64(s[i] - '0')
		if d > 9 {
			return 0, ErrValue
		}
		if v > (1<<64-1-d)/10 {
			return 0, ErrValue
		}
		v = v*10 + d
	}
	return v, nil
}

// Apply applies settings in order, each by getrlimit then setrlimit. On
// failure it returns the name of the call that failed ("getrlimit" or
// "setrlimit") and its errno; settings before the failing one stay applied.
// It allocates nothing.
func Apply(settings []Setting) (op string, errno syscall.Errno) {
	for i := range settings {
		s := &settings[i]
		var r syscall.Rlimit
		if err := syscall.Getrlimit(s.Resource, &r); err != nil {
			return "getrlimit", errnoOf(err)
		}
		r.Cur = min(s.Value, r.Max)
		if s.ToHard {
			r.Cur = r.Max
		}
		// syscall.Setrlimit, not unix.Setrlimit: it also stops package
		// syscall from putting back its own RLIMIT_NOFILE at exec.
		if err := syscall.Setrlimit(s.Resource, &r); err != nil {
			return "setrlimit", errnoOf(err)
		}
	}
	return "", 0
}

func errnoOf(err error) syscall.Errno {
	if e, ok := errstr.ErrnoOf(err); ok {
		return e
	}
	return syscall.EINVAL
}
