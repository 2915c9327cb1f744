// Package pathexec runs a child program the way daemontools' pathexec does:
// a PATH search with djb's rules and error precedence, and environment edits
// applied in order.
//
// Go's exec.LookPath differs (it refuses results relative to ".", and ranks
// errors otherwise), so the search is implemented here.
package pathexec

import (
	"errors"
	"strings"

	"golang.org/x/sys/unix"
)

// DefaultPath is used when the environment has no PATH.
const DefaultPath = "/bin:/usr/bin"

// Search tries to run name with try(path) for each candidate path:
// name itself if it contains '/', else each PATH element (an empty element
// meaning ".") joined with name. PATH is taken from env.
//
// ENOENT moves on silently; EACCES, EPERM and EISDIR are remembered and the
// search goes on; any other error ends it. A nil error from try ends it too.
// When the list is exhausted the remembered error, else ENOENT, is returned.
func Search(name string, env []string, try func(path string) error) error {
	if strings.IndexByte(name, '/') >= 0 {
		return try(name)
	}
	path, ok := Getenv(env, "PATH")
	if !ok {
		path = DefaultPath
	}
	var saved error
	for {
		elem, rest, more := strings.Cut(path, ":")
		if elem == "" {
			elem = "."
		}
		err := try(elem + "/" + name)
		goOn, remember := next(err)
		if remember {
			saved = err
		}
		if !goOn {
			return err
		}
		if !more {
			break
		}
		path = rest
	}
	if saved != nil {
		return saved
	}
	return unix.ENOENT
}

// next says what an exec attempt that failed with err means for the
// search: ENOENT is passed over, EACCES, EPERM and EISDIR are passed over
// and remembered (the last one is the search's error if nothing runs), and
// anything else (or success) ends the search.
func next(err error) (goOn, remember bool) {
	switch {
	case err == nil:
		return false, false
	case errors.Is(err, unix.ENOENT):
		return true, false
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM), errors.Is(err, unix.EISDIR):
		return true, true
	}
	return false, false
}

// Exec replaces the process with args[0], found by Search, given args and env.
// It returns only on failure, with the error Search chose.
func Exec(args []string, env []string) error {
	return Search(args[0], env, func(path string) error {
		return unix.Exec(path, args, env)
	})
}

// Getenv returns the value of the first entry of env named name.
func Getenv(env []string, name string) (string, bool) {
	for _, kv := range env {
		if len(kv) > len(name) && kv[len(name)] == '=' && kv[:len(name)] == name {
			return kv[len(name)+1:], true
		}
	}
	return "", false
}

// Edit is one environment change: set Name=Value, or remove Name.
type Edit struct {
	Name   string
	Value  string
	Remove bool
}

// Apply applies edits in order to a copy of env, as pathexec_env does: each
// edit deletes the first entry with that name (moving the last entry into
// the hole), and a set appends NAME=VALUE at the end. Entry names are taken
// up to the first '='.
func Apply(env []string, edits []Edit) []string {
	out := append([]string(nil), env...)
	for _, e := range edits {
		for i, kv := range out {
			name, _, _ := strings.Cut(kv, "=")
			if name == e.Name {
				out[i] = out[len(out)-1]
				out = out[:len(out)-1]
				break
			}
		}
		if !e.Remove {
			out = append(out, e.Name+"="+e.Value)
		}
	}
	return out
}
