// Package logcheck makes the numbered lines fed to the loggers and checks
// that a log directory received every one of them once, in order.
//
// Line i is its number in 10 digits, a space, and filler that depends on i,
// padded to the requested size including the newline. A logger may prefix
// each line with a timestamp (TAI64N "@" + 24 hex digits + space, or
// svlogd's "YYYY-MM-DD_HH:MM:SS.xxxxx "); the check validates and strips it.
package logcheck

import (
	"bufio"
	"bytes"
	"fmt"
	"github.com/daemontools-go/daemontools/internal/layout"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// MinSize is the shortest line Line makes: 10 digits, space, newline.
const MinSize = 12

// Stamp is the kind of timestamp a logger writes before each line.
type Stamp int

const (
	NoStamp     Stamp = iota // cat
	TAI64NStamp              // multilog t, s6-log t, tai64n: "@4000000068f3a1b20c5e3c1c "
	SvlogdStamp              // svlogd -tt: "2026-11-24_02:42:14.98664 "
)

// Line appends line i of the given total size (newline included) to dst.
func Line(dst []byte, i, size int) []byte {
	dst = fmt.Appendf(dst, "%010d ", i)
	for k := 11; k < size-1; k++ {
		dst = append(dst, byte('a'+(i+k)%26))
	}
	return append(dst, '\n')
}

// WriteInput writes lines 0..n-1 of the given size to path.
func WriteInput(path string, n, size int) error {
	if size < MinSize {
		return fmt.Errorf("logcheck: line size %d < %d", size, MinSize)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var buf []byte
	for i := 0; i < n; i++ {
		buf = Line(buf[:0], i, size)
		w.Write(buf) //nolint:errcheck // the error is sticky, checked by Flush
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Files returns the log files of dir in the order they were written:
// archives (names starting with '@') sorted by name, TAI64N sorting by
// time, then current.
func Files(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "@") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	if _, err := os.Stat(filepath.Join(dir, layout.LogCurrent)); err == nil {
		out = append(out, filepath.Join(dir, layout.LogCurrent))
	}
	return out, nil
}

// Result is what a check found.
type Result struct {
	First, Lines int // number of the first line found, how many lines
	Files        int // files read
}

// Check reads files as one stream and verifies that it holds lines
// First..n-1 of the given size, each once, in order, each with a valid
// stamp. With tail false First must be 0 (every line arrived); with tail true
// (a rotating log that deleted its oldest files) the stream may begin
// anywhere, even inside a line, but must then run to the last line.
func Check(files []string, n, size int, stamp Stamp, tail bool) (Result, error) {
	res := Result{Files: len(files)}
	readers := make([]io.Reader, 0, len(files))
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return res, err
		}
		defer f.Close()
		readers = append(readers, f)
	}
	r := bufio.NewReaderSize(io.MultiReader(readers...), 1<<16)
	next := 0
	var want []byte
	for lineNo := 0; ; lineNo++ {
		got, err := r.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			return res, fmt.Errorf("line %d of the log longer than %d bytes", lineNo+1, r.Size())
		}
		if err == io.EOF && len(got) == 0 {
			break
		}
		if err != nil && err != io.EOF {
			return res, err
		}
		body, ok := strip(got, stamp)
		if !ok {
			if tail && lineNo == 0 {
				continue // the oldest kept file began inside a line
			}
			return res, fmt.Errorf("log line %d: bad timestamp: %.60q", lineNo+1, got)
		}
		i, err := strconv.Atoi(string(body[:min(10, len(body))]))
		if err != nil {
			return res, fmt.Errorf("log line %d: no line number: %.60q", lineNo+1, body)
		}
		if res.Lines == 0 && tail {
			next = i
			res.First = i
		}
		if i != next {
			return res, fmt.Errorf("log line %d holds line %d, want line %d", lineNo+1, i, next)
		}
		want = Line(want[:0], i, size)
		if !bytes.Equal(body, want) {
			return res, fmt.Errorf("line %d altered: %.60q", i, body)
		}
		next++
		res.Lines++
	}
	if next != n || res.Lines == 0 {
		return res, fmt.Errorf("the log ends at line %d of %d", next, n)
	}
	return res, nil
}

// CheckDir checks the log files of a log directory.
func CheckDir(dir string, n, size int, stamp Stamp, tail bool) (Result, error) {
	files, err := Files(dir)
	if err != nil {
		return Result{}, err
	}
	return Check(files, n, size, stamp, tail)
}

// strip validates and removes the stamp of one line.
func strip(line []byte, stamp Stamp) ([]byte, bool) {
	switch stamp {
	case TAI64NStamp:
		if len(line) < 26 || line[0] != '@' || line[25] != ' ' || !isHex(line[1:25]) {
			return nil, false
		}
		return line[26:], true
	case SvlogdStamp:
		const form = "dddd-dd-dd_dd:dd:dd.ddddd "
		if len(line) < len(form) {
			return nil, false
		}
		for k := 0; k < len(form); k++ {
			c := line[k]
			if form[k] == 'd' && (c < '0' || c > '9') || form[k] != 'd' && c != form[k] {
				return nil, false
			}
		}
		return line[len(form):], true
	}
	return line, true
}

func isHex(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
