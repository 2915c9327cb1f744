package multilog

import (
	"bytes"
	"errors"

	"github.com/daemontools-go/daemontools/internal/tai64"
	"golang.org/x/sys/unix"
)

// archiveNameLen is the length of the '@'+24-hex prefix of archive names.
const archiveNameLen = tai64.TextSize

// finish archives file as @TAI64N.code and keeps the file count (§9.7).
// A missing file is nothing to do. If the file already has a second link,
// a crashed multilog linked it before dying, and it is only unlinked.
func (d *logDir) finish(file string, code byte) {
	var st unix.Stat_t
	for {
		err := unix.Fstatat(d.dirfd, file, &st, 0)
		if err == nil {
			break
		}
		if errors.Is(err, unix.ENOENT) {
			return
		}
		d.env.pause(err, "unable to stat ", d.name, "/", file)
	}
	if st.Nlink == 1 {
		for {
			var name [archiveNameLen + 2]byte
			d.env.Now().Format(name[:])
			name[archiveNameLen] = '.'
			name[archiveNameLen+1] = code
			err := unix.Linkat(d.dirfd, file, d.dirfd, string(name[:]), 0)
			if err == nil {
				break
			}
			d.env.pause(err, "unable to link to ", d.name, "/", string(name[:]))
		}
	}
	d.retry(func() error { return unix.Unlinkat(d.dirfd, file, 0) }, "unable to remove ", d.name, "/", file)
	d.filesFit()
}

// filesFit deletes the oldest archives until fewer than num remain: an
// archive is any name starting with '@' at least 25 bytes long, and the
// oldest is the one with the smallest 25-byte prefix.
func (d *logDir) filesFit() {
	for {
		var count uint64
		var oldest [archiveNameLen]byte
		err := d.scan(func(name []byte) bool {
			if len(name) >= archiveNameLen && name[0] == '@' {
				if count == 0 || string(name[:archiveNameLen]) < string(oldest[:]) {
					copy(oldest[:], name)
				}
				count++
			}
			return true
		})
		if err == nil && count < d.num {
			return
		}
		var victim string
		if err == nil {
			// The first entry, in directory order, with the oldest prefix.
			err = d.scan(func(name []byte) bool {
				if len(name) >= archiveNameLen && string(name[:archiveNameLen]) == string(oldest[:]) {
					victim = string(name)
					return false
				}
				return true
			})
		}
		if err != nil {
			d.env.pause(err, "unable to read ", d.name)
			continue
		}
		if victim != "" {
			// 0.76 ignores this error and loops at once; we pause.
			if err := unix.Unlinkat(d.dirfd, victim, 0); err != nil {
				d.env.pause(err, "unable to remove ", d.name, "/", victim)
			}
		}
	}
}

// scan calls f with each name in the directory, in directory order, until
// f returns false. The names are only valid during the call.
func (d *logDir) scan(f func(name []byte) bool) error {
	fd, err := unix.Openat(d.dirfd, ".", openRead|unix.O_DIRECTORY, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if d.dirbuf == nil {
		d.dirbuf = make([]byte, 32<<10)
	}
	for {
		n, err := unix.Getdents(fd, d.dirbuf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n <= 0 {
			return nil
		}
		for b := d.dirbuf[:n]; len(b) >= 19; {
			// struct linux_dirent64: ino 8, off 8, reclen 2, type 1, name.
			reclen := int(b[16]) | int(b[17])<<8
			if reclen < 19 || reclen > len(b) {
				return unix.EIO
			}
			name := b[19:reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			if !f(name) {
				return nil
			}
			b = b[reclen:]
		}
	}
}
