package main

import (
	"bufio"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/daemontools-go/daemontools/bench/internal/impl"
	"github.com/daemontools-go/daemontools/bench/internal/proc"
)

// localTZ is the zone tai64nlocal converts to: one with summer time, so
// that the conversion is not a constant offset.
const localTZ = "Europe/Berlin"

// localOutput is what a tai64nlocal run wrote: its size, lines and CRC.
type localOutput struct {
	bytes, lines int64
	crc          uint32
}

// localRun is one run of tai64nlocal by one implementation.
type localRun struct {
	column string
	m      logMeasure
	out    localOutput
}

// localBench converts a tai64n-stamped log with every tai64nlocal
// (daemontools' and ours), repeatedly. The rows are reported only when
// every run wrote the same output, with as many lines as the input.
func (s *suite) localBench() {
	t := s.logT
	input := filepath.Join(s.tmp, "tai64n-log")
	lines, size, err := writeStampedLog(input, s.sz.localMB*1_000_000)
	if err != nil {
		s.note("tai64nlocal: writing the input: %v", err)
		return
	}
	defer os.Remove(input)
	bench := fmt.Sprintf("tai64nlocal %s × 80 B", count(int(lines)))
	t.Notes = append(t.Notes,
		"tai64nlocal: a log of `@TAI64N text` lines (100 a second) converted with TZ="+localTZ+"; its output goes through a pipe into a CRC in the harness, and the rows are shown only if every run of every implementation wrote the same output, one line per input line.")
	var runs []localRun
	for rep := 0; rep < s.reps; rep++ {
		for _, im := range s.rotate(rep, impl.Localizer) {
			logf("%s: %s (run %d/%d)", bench, im.Name, rep+1, s.reps)
			m, out, err := s.runLocal(im.Tool(impl.Localizer), input)
			if err != nil {
				s.note("%s, %s: %v", bench, im.Name, err)
				continue
			}
			runs = append(runs, localRun{im.Name, m, out})
		}
	}
	for _, r := range runs {
		if r.out != runs[0].out || r.out.lines != lines {
			s.note("%s: outputs differ (%d lines in): %s", bench, lines, localOutputs(runs))
			return
		}
	}
	for _, r := range runs {
		t.Row(bench, "lines/s", false).Add(r.column, float64(lines)/r.m.wall)
		t.Row(bench, "MB/s", false).Add(r.column, float64(size)/r.m.wall/1e6)
		t.Row(bench, "CPU s", true).Add(r.column, r.m.cpu)
		t.Row(bench, "peak RSS MiB", true).Add(r.column, r.m.rssMiB)
	}
}

func localOutputs(runs []localRun) string {
	var b strings.Builder
	for _, r := range runs {
		fmt.Fprintf(&b, "%s %d lines %d bytes crc %08x; ", r.column, r.out.lines, r.out.bytes, r.out.crc)
	}
	return b.String()
}

// writeStampedLog writes lines of 80 bytes (newline included), each
// stamped with a TAI64N label, 100 labels a second from 2023 on, until
// about size bytes; it returns the lines and bytes written.
func writeStampedLog(path string, size int) (lines, written int64, err error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	sec := uint64(1<<62 + 10 + 1_700_000_000)
	text := strings.Repeat("x", 80-len("@")-24-len(" \n")) // 24 hex digits: seconds, nanoseconds
	for written < int64(size) {
		if lines%100 == 0 {
			sec++
		}
		n, _ := fmt.Fprintf(w, "@%016x%08x %s\n", sec, (lines%100)*10_000_000+500, text)
		written += int64(n)
		lines++
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, 0, err
	}
	return lines, written, f.Close()
}

// runLocal runs tool over the input, its output read into a CRC through a
// pipe, so that gigabytes need not be written to compare them.
func (s *suite) runLocal(tool, input string) (logMeasure, localOutput, error) {
	in, err := os.Open(input)
	if err != nil {
		return logMeasure{}, localOutput{}, err
	}
	defer in.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return logMeasure{}, localOutput{}, err
	}
	defer pr.Close()
	errs, err := os.CreateTemp(s.tmp, "tai64nlocal-stderr-")
	if err != nil {
		pw.Close()
		return logMeasure{}, localOutput{}, err
	}
	defer os.Remove(errs.Name())
	defer errs.Close()
	t0 := time.Now()
	p, err := proc.Start(proc.Spec{Argv: []string{tool}, Dir: s.tmp, Env: append(os.Environ(), "TZ="+localTZ),
		Stdin: in, Stdout: pw, Stderr: errs})
	pw.Close()
	if err != nil {
		return logMeasure{}, localOutput{}, err
	}
	peak := sampleHWM(p.Pid)
	out, readErr := checksum(pr) // until the program exits and closes its end
	res, m, err := waitMeasured(p, t0, peak)
	if err != nil {
		return logMeasure{}, localOutput{}, err
	}
	if readErr != nil {
		return logMeasure{}, localOutput{}, fmt.Errorf("reading the output: %v", readErr)
	}
	if !res.Ok() {
		msg, _ := os.ReadFile(errs.Name())
		return logMeasure{}, localOutput{}, fmt.Errorf("exit %v: %.200s", res.Status, msg)
	}
	return m, out, nil
}

// checksum reads r to its end and returns its size, lines and CRC-32C
// (hardware-assisted, so that the harness keeps up with the program).
func checksum(r io.Reader) (localOutput, error) {
	h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	buf := make([]byte, 1<<20)
	var out localOutput
	for {
		n, err := r.Read(buf)
		h.Write(buf[:n])
		out.bytes += int64(n)
		out.lines += int64(bytes.Count(buf[:n], []byte{'\n'}))
		if err == io.EOF {
			out.crc = h.Sum32()
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}
