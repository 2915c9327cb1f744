package multilog

import (
	"errors"
	"os"

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
		names, err := d.readNames()
		if err != nil {
			d.env.pause(err, "unable to read ", d.name)
			continue
		}
		count, oldest := uint64(0), ""
		for _, n := range names {
			if len(n) >= archiveNameLen && n[0] == '@' {
				if count == 0 || n[:archiveNameLen] < oldest {
					oldest = n[:archiveNameLen]
				}
				count++
			}
		}
		if count < d.num {
			return
		}
		for _, n := range names {
			if len(n) >= archiveNameLen && n[:archiveNameLen] == oldest {
				// 0.76 ignores this error and loops at once; we pause.
				if err := unix.Unlinkat(d.dirfd, n, 0); err != nil {
					d.env.pause(err, "unable to remove ", d.name, "/", n)
				}
				break
			}
		}
	}
}

// readNames lists the directory in directory order.
func (d *logDir) readNames() ([]string, error) {
	fd, err := unix.Openat(d.dirfd, ".", openRead|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), d.name)
	defer f.Close()
	return f.Readdirnames(-1)
}
