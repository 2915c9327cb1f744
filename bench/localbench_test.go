package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/tai64"
)

// The stamped log holds 80-byte lines, each behind a TAI64N label, 100 a
// second, in order; checksum counts what it reads.
func TestStampedLogAndChecksum(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	lines, size, err := writeStampedLog(path, 30_000)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) != size || size != lines*80 || size < 30_000 || size >= 30_080 {
		t.Fatalf("%d lines, %d bytes (file %d), want 80-byte lines up to 30,000 bytes", lines, size, len(b))
	}
	var prev time.Time
	for i, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		label, _, _ := strings.Cut(l, " ")
		n, ok := tai64.Parse([]byte(label))
		when := n.Time()
		if !ok || when.Before(prev) || (i%100 != 0 && when.Sub(prev) != 10*time.Millisecond) {
			t.Fatalf("line %d %q: label %v after %v", i, l, when, prev)
		}
		prev = when
	}
	out, err := checksum(bytes.NewReader(b))
	if err != nil || out.lines != lines || out.bytes != size {
		t.Errorf("checksum: %+v, %v", out, err)
	}
	b[100] ^= 1
	if other, _ := checksum(bytes.NewReader(b)); other.crc == out.crc {
		t.Error("checksum blind to a changed byte")
	}
}
