package main

import (
	"testing"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
)

func TestBenchLines(t *testing.T) {
	out := "PASS\nok  \tx/internal/diag\t0.020s\ngoos: linux\npkg: x/internal/status\ncpu: Some CPU   \n" +
		"BenchmarkEncode-2   \t1000000000\t 0.31 ns/op\t 0 B/op\t 0 allocs/op\nPASS\nok  \tx/internal/status\t0.3s\n" +
		"pkg: x/internal/tai64\ncpu: Some CPU\nBenchmarkFormat-2 \t229435630\t 5.0 ns/op\n"
	want := "cpu: Some CPU\npkg: x/internal/status\nBenchmarkEncode-2   \t1000000000\t 0.31 ns/op\t 0 B/op\t 0 allocs/op\n" +
		"pkg: x/internal/tai64\nBenchmarkFormat-2 \t229435630\t 5.0 ns/op\n"
	if got := benchLines(out); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestRotate(t *testing.T) {
	s := newSuite(t.TempDir(), t.TempDir(), false, 3, "")
	for i := range s.impls {
		s.impls[i].Bin = t.TempDir() // nothing installed: no implementation qualifies
	}
	if got := s.rotate(0, impl.Scanner); len(got) != 0 {
		t.Fatalf("rotate with nothing installed: %v", got)
	}
	s = newSuite(t.TempDir(), t.TempDir(), false, 3, "")
	all := []string{"ours", "daemontools", "runit", "s6"}
	for rep := 0; rep < 4; rep++ {
		got := s.rotate(rep)
		for k := range got {
			if got[k].Name != all[(rep+k)%4] {
				t.Fatalf("rep %d: order %v", rep, got)
			}
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 2000000: "2,000,000"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q", n, got)
		}
	}
}
