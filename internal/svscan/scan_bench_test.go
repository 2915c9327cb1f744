package svscan

import (
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/daemontools-go/daemontools/internal/diag"
	"golang.org/x/sys/unix"
)

// BenchmarkIdleScan: one scan of 100 running services (nothing to start),
// with the real system calls.
func BenchmarkIdleScan(b *testing.B) {
	dir := b.TempDir()
	for i := 0; i < 100; i++ {
		os.Mkdir(fmt.Sprintf("%s/s%03d", dir, i), 0o755)
	}
	b.Chdir(dir)
	home, _ := unix.Open(".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	s := &Scanner{Table: NewTable(), Sys: NewSystem(home, nil), Log: diag.Logger{Prog: "svscan", W: io.Discard}}
	ents, _ := s.Sys.ReadDir()
	for i, e := range ents {
		if e.Name[0] == '.' {
			continue
		}
		id, _, _ := s.Sys.Stat(e.Name)
		sl := &Slot{ID: id}
		s.Table.Add(sl)
		s.Table.SetPid(sl, 1<<22+i)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s.Scan()
	}
}
