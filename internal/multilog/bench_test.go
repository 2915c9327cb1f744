package multilog

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
)

// benchLines is one read's worth of ~80-byte lines.
func benchLines() []byte {
	var b strings.Builder
	for i := 0; b.Len() < readSize-100; i++ {
		fmt.Fprintf(&b, "%09d %s\n", i, strings.Repeat("x", 60+i%20))
	}
	return []byte(b.String())
}

// benchmarkWriter measures the line machine and the log writer: one
// block per iteration through the script, then written to current.
func benchmarkWriter(b *testing.B, script ...string) {
	dir := b.TempDir()
	env := &Env{Stderr: io.Discard, Sleep: time.Sleep}
	env.defaults()
	args := append(script, "s16777215", "n3", dir+"/log")
	m, err := start(env, Parse(args))
	if err != nil {
		b.Fatal(err)
	}
	defer m.close()
	block := benchLines()
	b.SetBytes(int64(len(block)))
	b.ReportAllocs()
	for b.Loop() {
		m.lines.feed(block)
		m.lines.flush()
	}
	b.ReportMetric(float64(b.N)*float64(strings.Count(string(block), "\n"))/b.Elapsed().Seconds(), "lines/s")
}

func BenchmarkWriter(b *testing.B)         { benchmarkWriter(b) }
func BenchmarkWriterStamped(b *testing.B)  { benchmarkWriter(b, "t") }
func BenchmarkWriterPatterns(b *testing.B) { benchmarkWriter(b, "t", "-*", "+* *5 *") }
func BenchmarkWriterStatus(b *testing.B)   { benchmarkWriter(b, "t", "=/dev/null") }
