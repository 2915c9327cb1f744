// Command multilog-bench measures log throughput: our multilog against
// Debian's multilog, runit's svlogd and s6-log on the same input, with
// `tai64n > file` and `cat > file` as floors, and tai64nlocal on a large
// log against Debian's. Every logger's output is checked: each input line
// must arrive exactly once, in order, behind its timestamp.
//
//	go build -o bin/ ./cmd/... && go run ./bench/multilog [-quick] [-work DIR] [-bin DIR]
//
// It prints a Markdown table: wall time, CPU seconds (user+system of the
// logger), lines/s and MB/s of input. Loggers that are not installed are
// left out. The work directory defaults to /dev/shm (so that the disk does
// not dominate); it needs about 2.5 GB, or 0.5 GB with -quick.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// logger is one program under test.
type logger struct {
	name string
	bin  string
	// args for a log directory; config is written to dir/config (svlogd).
	args   func(dir string, size, num int) []string
	config func(size, num int) string
	dir    bool // writes a log directory (else stdout to a file)
}

// scenario is one input and rotation setting.
type scenario struct {
	name      string
	lines     int
	lineLen   int
	size, num int
}

func main() {
	quick := flag.Bool("quick", false, "a tenth of the input")
	work := flag.String("work", "", "work directory (default: a new directory in /dev/shm or $TMPDIR)")
	binDir := flag.String("bin", "bin", "directory holding our commands")
	only := flag.String("only", "", "run only loggers whose name contains this")
	localMB := flag.Int("local-mb", 1024, "size of the tai64nlocal log in MB")
	flag.Parse()
	if err := run(*quick, *work, *binDir, *only, *localMB); err != nil {
		fmt.Fprintln(os.Stderr, "multilog-bench:", err)
		os.Exit(1)
	}
}

func run(quick bool, work, binDir, only string, localMB int) error {
	if work == "" {
		base := "/dev/shm"
		if _, err := os.Stat(base); err != nil {
			base = os.TempDir()
		}
		d, err := os.MkdirTemp(base, "multilog-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		work = d
	}
	ours, err := filepath.Abs(binDir)
	if err != nil {
		return err
	}
	scale := 1
	if quick {
		scale, localMB = 10, localMB/10
	}
	scenarios := []scenario{
		{"80-byte lines, s16777215 n20", 2000000 / scale, 80, 16777215, 20},
		{"1 KB lines, s16777215 n20", 200000 / scale, 1024, 16777215, 20},
		{"80-byte lines, s100000 (rotation)", 2000000 / scale, 80, 100000, 100000},
	}
	loggers := available(ours)
	for _, sc := range scenarios {
		input := filepath.Join(work, fmt.Sprintf("input-%d-%d", sc.lines, sc.lineLen))
		if err := makeInput(input, sc.lines, sc.lineLen); err != nil {
			return err
		}
		fi, _ := os.Stat(input)
		fmt.Printf("\n### %s: %d lines, %.1f MB\n\n", sc.name, sc.lines, float64(fi.Size())/1e6)
		fmt.Println("| program | wall s | CPU s | lines/s | MB/s | wall vs ours |")
		fmt.Println("| --- | ---: | ---: | ---: | ---: | ---: |")
		var oursWall float64
		for _, l := range loggers {
			if only != "" && !strings.Contains(l.name, only) {
				continue
			}
			wall, cpu, err := measure(l, work, input, sc)
			if err != nil {
				fmt.Printf("| %s | failed: %v | | | | |\n", l.name, err)
				continue
			}
			if l.name == "ours multilog" {
				oursWall = wall
			}
			ratio := ""
			if oursWall > 0 {
				ratio = fmt.Sprintf("%.2f×", wall/oursWall)
			}
			fmt.Printf("| %s | %.2f | %.2f | %.2fM | %.0f | %s |\n", l.name, wall, cpu,
				float64(sc.lines)/wall/1e6, float64(fi.Size())/wall/1e6, ratio)
		}
		os.Remove(input)
	}
	return benchLocal(work, ours, localMB, only)
}

// available lists the loggers that are installed, ours first.
func available(ours string) []logger {
	dirArgs := func(prefix ...string) func(string, int, int) []string {
		return func(dir string, size, num int) []string {
			return append(append([]string{}, prefix...), fmt.Sprintf("s%d", size), fmt.Sprintf("n%d", num), dir)
		}
	}
	all := []logger{
		{name: "ours multilog", bin: filepath.Join(ours, "multilog"), args: dirArgs("t"), dir: true},
		{name: "Debian multilog", bin: "/usr/bin/multilog", args: dirArgs("t"), dir: true},
		{name: "s6-log", bin: "/usr/bin/s6-log", args: dirArgs("-l", "4096", "t"), dir: true},
		{name: "svlogd -tt", bin: "/usr/bin/svlogd", dir: true,
			args:   func(dir string, _, _ int) []string { return []string{"-tt", "-l", "4096", "-b", "65536", dir} },
			config: func(size, num int) string { return fmt.Sprintf("s%d\nn%d\n", size, num) }},
		{name: "ours tai64n > file", bin: filepath.Join(ours, "tai64n")},
		{name: "Debian tai64n > file", bin: "/usr/bin/tai64n"},
		{name: "cat > file", bin: "/bin/cat"},
	}
	var out []logger
	for _, l := range all {
		if _, err := os.Stat(l.bin); err == nil {
			out = append(out, l)
		}
	}
	return out
}

// makeInput writes n numbered lines of about lineLen bytes (newline
// included), with varying lengths.
func makeInput(path string, n, lineLen int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewSource(1))
	filler := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789 ", lineLen/30+2)
	for i := 0; i < n; i++ {
		l := lineLen - 10 - lineLen/8 + r.Intn(lineLen/4+1)
		fmt.Fprintf(w, "%09d %s\n", i, filler[:max(l, 0)])
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// measure runs one logger on the input and checks its output.
func measure(l logger, work, input string, sc scenario) (wall, cpu float64, err error) {
	out := filepath.Join(work, "out")
	os.RemoveAll(out)
	defer os.RemoveAll(out)
	in, err := os.Open(input)
	if err != nil {
		return 0, 0, err
	}
	defer in.Close()
	cmd := exec.Command(l.bin)
	cmd.Stdin = in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if l.dir {
		cmd.Args = append(cmd.Args, l.args(out, sc.size, sc.num)...)
		if l.config != nil {
			if err := os.Mkdir(out, 0o755); err != nil {
				return 0, 0, err
			}
			if err := os.WriteFile(filepath.Join(out, "config"), []byte(l.config(sc.size, sc.num)), 0o644); err != nil {
				return 0, 0, err
			}
		}
	} else {
		f, err := os.Create(out)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		cmd.Stdout = f
	}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return 0, 0, fmt.Errorf("%v: %s", err, stderr.String())
	}
	wall = time.Since(start).Seconds()
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	cpu = tv(ru.Utime) + tv(ru.Stime)
	stamped := l.name != "cat > file"
	return wall, cpu, check(input, out, l.dir, stamped)
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// check compares the logged lines with the input: the archives in name
// order, then current; a timestamp up to the first space is removed.
func check(input, out string, dir, stamped bool) error {
	var files []string
	if dir {
		ents, err := os.ReadDir(out)
		if err != nil {
			return err
		}
		for _, e := range ents {
			if strings.HasPrefix(e.Name(), "@") {
				files = append(files, filepath.Join(out, e.Name()))
			}
		}
		sort.Strings(files)
		files = append(files, filepath.Join(out, "current"))
	} else {
		files = []string{out}
	}
	want, err := os.Open(input)
	if err != nil {
		return err
	}
	defer want.Close()
	wr := bufio.NewReaderSize(want, 1<<20)
	n := 0
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		r := bufio.NewReaderSize(f, 1<<20)
		for {
			got, err := r.ReadSlice('\n')
			if err == io.EOF && len(got) == 0 {
				break
			}
			if err != nil {
				f.Close()
				return fmt.Errorf("%s: %v", name, err)
			}
			if stamped {
				i := bytes.IndexByte(got, ' ')
				got = got[i+1:]
			}
			w, err := wr.ReadSlice('\n')
			if err != nil || !bytes.Equal(got, w) {
				f.Close()
				return fmt.Errorf("line %d differs in %s: %.40q", n, name, got)
			}
			n++
		}
		f.Close()
	}
	if _, err := wr.ReadByte(); err != io.EOF {
		return fmt.Errorf("only %d lines logged", n)
	}
	return nil
}

// benchLocal converts a log of about mb megabytes with our tai64nlocal and
// Debian's, and requires the same output.
func benchLocal(work, ours string, mb int, only string) error {
	if only != "" && !strings.Contains("tai64nlocal", only) {
		return nil
	}
	input := filepath.Join(work, "tai64n-log")
	f, err := os.Create(input)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	sec := uint64(1<<62 + 10 + 1700000000)
	line := strings.Repeat("x", 52)
	var lines int
	for size := 0; size < mb*1000000; size += 80 {
		if lines%100 == 0 {
			sec++
		}
		fmt.Fprintf(w, "@%016x%08x %s\n", sec, (lines%100)*10000000+500, line)
		lines++
	}
	if err := w.Flush(); err != nil {
		return err
	}
	f.Close()
	defer os.Remove(input)
	fmt.Printf("\n### tai64nlocal: %d lines, %d MB, TZ=Europe/Berlin\n\n", lines, mb)
	fmt.Println("| program | wall s | CPU s | lines/s | MB/s |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	var sums []string
	for _, p := range []struct{ name, bin string }{
		{"ours tai64nlocal", filepath.Join(ours, "tai64nlocal")}, {"Debian tai64nlocal", "/usr/bin/tai64nlocal"}} {
		if _, err := os.Stat(p.bin); err != nil {
			continue
		}
		in, err := os.Open(input)
		if err != nil {
			return err
		}
		// The output goes through a pipe into a CRC (hardware-assisted), so
		// that both are compared without writing gigabytes to a file.
		sum := &crcWriter{h: crc32.New(crc32.MakeTable(crc32.Castagnoli))}
		cmd := exec.Command(p.bin)
		cmd.Stdin, cmd.Stdout = in, sum
		cmd.Env = append(os.Environ(), "TZ=Europe/Berlin")
		start := time.Now()
		err = cmd.Run()
		wall := time.Since(start).Seconds()
		in.Close()
		if err != nil {
			fmt.Printf("| %s | failed: %v | | | |\n", p.name, err)
			continue
		}
		ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
		fmt.Printf("| %s | %.2f | %.2f | %.2fM | %.0f |\n", p.name, wall, tv(ru.Utime)+tv(ru.Stime),
			float64(lines)/wall/1e6, float64(mb)/wall)
		sums = append(sums, fmt.Sprintf("%d/%08x", sum.n, sum.h.Sum32()))
	}
	if len(sums) == 2 {
		if sums[0] != sums[1] {
			return fmt.Errorf("tai64nlocal outputs differ: %v", sums)
		}
		fmt.Println("\n(outputs identical)")
	}
	return nil
}

// crcWriter counts and checksums what is written to it.
type crcWriter struct {
	h hash.Hash32
	n int64
}

func (c *crcWriter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}
