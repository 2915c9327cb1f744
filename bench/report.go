package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/daemontools-go/daemontools/bench/internal/stats"
)

// report prints the tables and writes them to dir as markdown.
func (s *suite) report(dir string) int {
	var b bytes.Buffer
	s.markdown(&b, false)
	os.Stdout.Write(b.Bytes()) //nolint:errcheck // nothing to do about it

	var full bytes.Buffer
	s.markdown(&full, true)
	mode := "quick"
	if s.full {
		mode = "full"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 111
	}
	name := filepath.Join(dir, fmt.Sprintf("bench-%s-%s.md", mode, s.started.Format("20060102-150405")))
	latest := filepath.Join(dir, "latest-"+mode+".md")
	for _, p := range []string{name, latest} {
		if err := os.WriteFile(p, full.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 111
		}
	}
	fmt.Fprintf(os.Stderr, "bench: report written to %s (and %s)\n", name, latest)
	return 0
}

// markdown writes the report; withSamples adds every sample and the
// micro-benchmark output.
func (s *suite) markdown(w io.Writer, withSamples bool) {
	mode := "quick (`make bench`)"
	if s.full {
		mode = "full (`make bench-full`)"
	}
	fmt.Fprintf(w, "## Benchmark: ours vs daemontools, runit, s6 — %s\n\n", mode)
	fmt.Fprintf(w, "%s, %d repetitions per figure (the order of the implementations rotates), medians shown; ratio = ours/peer (↓: lower is better, so a ratio < 1 favours ours; ↑: higher is better). Run time %s.\n\n",
		s.started.UTC().Format("2006-01-02 15:04 MST"), s.reps, time.Since(s.started).Round(time.Second))
	for _, m := range s.machine {
		fmt.Fprintf(w, "- %s\n", m)
	}
	fmt.Fprintf(w, "- load average before: %s; after: %s\n\n", s.loadBefore, s.loadAfter)
	for _, t := range s.tables() {
		if len(t.Rows) > 0 {
			t.Markdown(w)
		}
	}
	if len(s.notes) > 0 {
		fmt.Fprintf(w, "### Missing or failed\n\n")
		for _, n := range s.notes {
			fmt.Fprintf(w, "- %s\n", n)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Processes left behind after the run: %d.\n\n", s.leftover)
	if !withSamples {
		return
	}
	fmt.Fprintf(w, "### Samples\n\n")
	for _, t := range s.tables() {
		if len(t.Rows) > 0 {
			t.Samples(w)
		}
	}
	if s.micro != "" {
		fmt.Fprintf(w, "### Micro-benchmarks (`go test -run XXX -bench . -benchmem ./internal/...`)\n\n```\n%s```\n", s.micro)
	}
}

// tables are the report's tables, in order.
func (s *suite) tables() []*stats.Table {
	return []*stats.Table{s.logT, s.svcT, s.winT, s.bigT, s.crashT, s.stopT, s.statusT, s.stateT, s.consT, s.pidT}
}
