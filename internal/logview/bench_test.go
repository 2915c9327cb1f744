package logview

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/tai64"
)

// bigLog makes a log directory as multilog s1000000 n31 leaves it: 30
// archives of 1 MB and half a current, lines of about 100 bytes.
func bigLog(b *testing.B) (dir string, size int64) {
	b.Helper()
	dir = b.TempDir()
	at := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	var buf bytes.Buffer
	write := func(name string, bytes int) {
		buf.Reset()
		for buf.Len() < bytes {
			at = at.Add(time.Millisecond)
			buf.WriteString(tai64.FromTime(at).String())
			buf.WriteString(" GET /index.html 200 1234 0.002 request ")
			buf.WriteString(strconv.Itoa(buf.Len()))
			buf.WriteString(" from 192.0.2.1 agent curl/8.5\n")
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		size += int64(buf.Len())
	}
	for i := 0; i < 30; i++ {
		write(tai64.FromTime(at).String()+".s", 1000000)
	}
	write("current", 500000)
	return dir, size
}

// Tail of a large log reads only its end: its cost depends on n, not on
// the size of the log.
func BenchmarkTail(b *testing.B) {
	dir, _ := bigLog(b)
	b.Setenv("TZ", "Europe/Paris")
	for _, n := range []int{20, 1000, 10000} {
		b.Run("lines="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				lines, err := Tail(dir, n)
				if err != nil || len(lines) != n {
					b.Fatal(len(lines), err)
				}
			}
		})
	}
}

// svctl log printing a whole large log, times converted.
func BenchmarkPrint(b *testing.B) {
	dir, size := bigLog(b)
	b.Setenv("TZ", "Europe/Paris")
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		if err := Main(io.Discard, io.Discard, []string{"-n", "100000000", "--logdir", dir}); err != nil {
			b.Fatal(err)
		}
	}
}
