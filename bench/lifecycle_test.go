package main

import (
	"encoding/binary"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func TestBackoffSchedule(t *testing.T) {
	good := []float64{100, 101, 103, 107, 115, 131, 163, 223, 283}
	if err := backoffSchedule(good, time.Second, time.Minute); err != nil {
		t.Errorf("doubling to the cap: %v", err)
	}
	late := []float64{100.00, 101.01, 103.3, 107.33}
	if err := backoffSchedule(late, time.Second, time.Minute); err != nil {
		t.Errorf("a little late: %v", err)
	}
	for _, bad := range [][]float64{
		{100, 101, 102, 103},                     // a fixed one-second pause
		{100, 101, 103, 107, 108},                // the doubling stops
		{100, 101, 103, 107, 115, 131, 163, 228}, // past the cap
	} {
		err := backoffSchedule(bad, time.Second, time.Minute)
		if err == nil || !strings.Contains(err.Error(), "do not follow") {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if err := backoffSchedule([]float64{5}, time.Second, time.Minute); err != nil {
		t.Errorf("one start: %v", err)
	}
}

func TestRenamesBeforeLastStatus(t *testing.T) {
	names := []string{"state.json", "status", "instance", "state.json", "status", "state.json"}
	got, ok := renamesBeforeLastStatus(names)
	if !ok || got["state.json"] != 2 || got["status"] != 2 || got["instance"] != 1 || len(got) != 3 {
		t.Errorf("got %v %v, want state.json 2, status 2, instance 1", got, ok)
	}
	if _, ok := renamesBeforeLastStatus([]string{"state.json"}); ok {
		t.Error("no status rename, yet ok")
	}
}

func TestInotifyNames(t *testing.T) {
	var b []byte
	for _, name := range []string{"state.json", "status"} {
		padded := make([]byte, (len(name)/16+1)*16)
		copy(padded, name)
		hdr := make([]byte, unix.SizeofInotifyEvent)
		binary.NativeEndian.PutUint32(hdr[12:], uint32(len(padded)))
		b = append(append(b, hdr...), padded...)
	}
	b = append(b, 1, 2, 3) // a truncated header is ignored
	got := inotifyNames(b)
	if strings.Join(got, ",") != "state.json,status" {
		t.Errorf("got %q", got)
	}
}

func TestBenchNsPerOp(t *testing.T) {
	out := "goos: linux\nBenchmarkWriteStateJSON/spaced-2   \t     200\t    712345 ns/op\n" +
		"BenchmarkWriteStateJSON/back-to-back-2 \t 200\t 384028 ns/op\t 0 B/op\t 0 allocs/op\n" +
		"BenchmarkWriteStateJSON/spaced-2   \t     200\t    700000 ns/op\nPASS\n"
	m := benchNsPerOp(out)
	if s := m["BenchmarkWriteStateJSON/spaced"]; len(s) != 2 || s[0] != 712345 || s[1] != 700000 {
		t.Errorf("spaced: %v", s)
	}
	if s := m["BenchmarkWriteStateJSON/back-to-back"]; len(s) != 1 || s[0] != 384028 {
		t.Errorf("back-to-back: %v", s)
	}
}
