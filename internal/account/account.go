// Package account finds an account's uid and gid by reading the passwd file
// itself, as the "files" source of getpwnam does, so that static binaries
// work without the C library's name service switch. Other sources (LDAP,
// NIS, systemd's dynamic users) are not consulted.
//
// setuidgid and envuidgid need nothing else: 0.76 sets the supplementary
// groups to the primary group only, so /etc/group is never read.
package account

import (
	"bytes"
	"errors"
	"os"
)

// PasswdFile is the system's account database.
const PasswdFile = "/etc/passwd"

// User is what the chain-loading programs need from an account.
type User struct {
	Name string
	UID  uint32
	GID  uint32
}

// ErrUnknown means that no valid line of the passwd file names the account.
var ErrUnknown = errors.New("unknown account")

// Lookup finds name in the passwd file at path. A file that cannot be read
// holds no accounts: like getpwnam, Lookup then reports ErrUnknown.
func Lookup(path, name string) (User, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return User{}, ErrUnknown
	}
	return Find(data, name)
}

// Find looks name up in the contents of a passwd file:
//
//	name:password:uid:gid[:gecos:home:shell]
//
// one account a line. Leading white space is skipped; empty lines and lines
// starting with '#' are comments. A line whose uid or gid is not a decimal
// number that fits in 32 bits is ignored, as the C library ignores
// malformed lines. The first valid line with the name wins. Names starting
// with '+' or '-' are NIS "compat" markers, never accounts, and the empty
// name is no account either.
func Find(data []byte, name string) (User, error) {
	if name == "" || name[0] == '+' || name[0] == '-' {
		return User{}, ErrUnknown
	}
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		if u, ok := parseLine(line); ok && u.Name == name {
			return u, nil
		}
	}
	return User{}, ErrUnknown
}

// parseLine reads one passwd line; ok is false for comments and malformed lines.
func parseLine(line []byte) (u User, ok bool) {
	line = bytes.TrimLeft(line, " \t\r\v\f")
	if len(line) == 0 || line[0] == '#' {
		return User{}, false
	}
	f := bytes.SplitN(line, []byte{':'}, 5)
	if len(f) < 4 {
		return User{}, false
	}
	uid, ok1 := parseID(f[2])
	gid, ok2 := parseID(f[3])
	if !ok1 || !ok2 {
		return User{}, false
	}
	return User{Name: string(f[0]), UID: uid, GID: gid}, true
}

// parseID reads a uid or gid: one or more decimal digits, at most 2^32-1.
func parseID(b []byte) (uint32, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
		if v > 1<<32-1 {
			return 0, false
		}
	}
	return uint32(v), true
}
