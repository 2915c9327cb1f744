package multilog

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

func numbered(n, width int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "%0*d\n", width-1, i)
	}
	return b.String()
}

// checkRotation checks the rotation rule on the files of a directory:
// no file exceeds size; every archive either ends at the first line end at
// or past size-2000, or is exactly size bytes (a line cut at the limit).
func checkRotation(t *testing.T, files []logFile, size int) {
	t.Helper()
	for i, f := range files {
		if len(f.data) > size {
			t.Errorf("%s: %d bytes > %d", f.name, len(f.data), size)
		}
		if i == len(files)-1 {
			break // current
		}
		if len(f.data) == size {
			continue
		}
		if !strings.HasSuffix(f.data, "\n") || len(f.data) < size-2000 {
			t.Errorf("%s: %d bytes, not a line end past %d", f.name, len(f.data), size-2000)
		}
		if j := strings.IndexByte(f.data[size-2000-1:], '\n'); j >= 0 && size-2000+j != len(f.data) {
			t.Errorf("%s: %d bytes, first line end past the threshold at %d", f.name, len(f.data), size-2000+j)
		}
		if f.mode != 0o744 || !strings.HasSuffix(f.name, ".s") {
			t.Errorf("%s: mode %v", f.name, f.mode)
		}
	}
}

func TestRotation(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/log"
	input := numbered(300, 51)
	if _, code := runML(t, input, "s4096", "n100", dir); code != 0 {
		t.Fatal(code)
	}
	files := readLogDir(t, dir)
	checkRotation(t, files, 4096)
	// 42 lines of 51 bytes reach 2142 >= 4096-2000 at a line end.
	want := []int{2142, 2142, 2142, 2142, 2142, 2142, 2142, 6 * 51}
	if got := sizes(files); !reflect.DeepEqual(got, want) || concat(files) != input {
		t.Errorf("sizes %v, want %v", got, want)
	}
	// n3 keeps two archives: the newest.
	dir3 := t.TempDir() + "/log"
	runML(t, input, "s4096", "n3", dir3)
	files3 := readLogDir(t, dir3)
	if got := sizes(files3); !reflect.DeepEqual(got, []int{2142, 2142, 306}) || concat(files3) != input[len(input)-2142*2-306:] {
		t.Errorf("n3: sizes %v", got)
	}
}

func TestRotationLongLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/log"
	if _, code := runML(t, strings.Repeat("x", 10001)+"\n", "s4096", dir); code != 0 {
		t.Fatal(code)
	}
	if got := sizes(readLogDir(t, dir)); !reflect.DeepEqual(got, []int{4096, 4096, 1810}) {
		t.Errorf("sizes %v, want [4096 4096 1810]", got)
	}
	// A line that does not fit in what is left is cut at the limit too.
	dir = t.TempDir() + "/log"
	input := strings.Repeat("a", 999) + "\n" + strings.Repeat("b", 3499) + "\nc\n"
	runML(t, input, "s4096", dir)
	files := readLogDir(t, dir)
	if got := sizes(files); !reflect.DeepEqual(got, []int{4096, 406}) || concat(files) != input {
		t.Errorf("sizes %v", got)
	}
	checkRotation(t, files, 4096)
}

func TestRotationRandomInput(t *testing.T) {
	t.Parallel()
	// Lines of many lengths, fed in odd pieces: the rule holds whatever the
	// read boundaries are.
	var b strings.Builder
	for i := 0; i < 60; i++ {
		b.WriteString(strings.Repeat(string(rune('a'+i%26)), (i*7919)%9000))
		b.WriteByte('\n')
	}
	input := b.String()
	dir := t.TempDir() + "/log"
	m := startML(t, "s5000", "n100000", dir)
	go func() {
		for p := input; len(p) > 0; {
			n := min(len(p), 1+len(p)%70001)
			m.in.WriteString(p[:n]) //nolint:errcheck
			p = p[n:]
		}
		m.in.Close()
	}()
	if code := m.waitExit(); code != 0 {
		t.Fatal(code)
	}
	files := readLogDir(t, dir)
	if got := concat(files); got != input {
		i := 0
		for i < len(got) && i < len(input) && got[i] == input[i] {
			i++
		}
		t.Fatalf("content differs at %d: %d files, %d bytes, want %d", i, len(files), len(got), len(input))
	}
	checkRotation(t, files, 5000)
}

func TestRestartAppends(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/log"
	runML(t, numbered(50, 51), "s4096", dir)
	runML(t, numbered(50, 51), "s4096", dir)
	files := readLogDir(t, dir)
	if got := sizes(files); !reflect.DeepEqual(got, []int{2142, 2142, 816}) {
		t.Errorf("sizes %v", got)
	}
	if concat(files) != numbered(50, 51)+numbered(50, 51) {
		t.Error("content differs")
	}
}

func TestRecovery(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	write := func(name, data string, mode os.FileMode) { testutil.WriteFile(t, name, data, mode) }

	// A crashed multilog: current without the x bit, a previous that a
	// processor had not finished, stale state files.
	d := base + "/a"
	write(d+"/current", "cur\n", 0o644)
	write(d+"/previous", "prev\n", 0o744)
	write(d+"/processed", "half", 0o644)
	write(d+"/state", "st", 0o644)
	write(d+"/newstate", "nst", 0o644)
	if _, code := runML(t, "new\n", d); code != 0 {
		t.Fatal(code)
	}
	files := readLogDir(t, d)
	if len(files) != 3 || files[0].data != "prev\n" || files[1].data != "cur\n" || files[2].data != "new\n" ||
		!strings.HasSuffix(files[0].name, ".u") || !strings.HasSuffix(files[1].name, ".u") || files[1].mode != 0o644 {
		t.Errorf("recovered %+v", files)
	}
	if b, err := os.ReadFile(d + "/state"); err != nil || len(b) != 0 {
		t.Errorf("state %q %v", b, err)
	}

	// A processor that finished: processed has the x bit and wins.
	d = base + "/b"
	write(d+"/previous", "prev\n", 0o744)
	write(d+"/processed", "done\n", 0o744)
	runML(t, "", d)
	files = readLogDir(t, d)
	if len(files) != 2 || files[0].data != "done\n" || !strings.HasSuffix(files[0].name, ".s") || files[1].data != "" {
		t.Errorf("recovered %+v", files)
	}

	// A crash after linking: the second link is kept, no new archive.
	d = base + "/c"
	write(d+"/current", "cur\n", 0o644)
	if err := os.Link(d+"/current", d+"/@400000006553f10000000000.u"); err != nil {
		t.Fatal(err)
	}
	runML(t, "", d)
	files = readLogDir(t, d)
	if len(files) != 2 || files[0].name != "@400000006553f10000000000.u" || files[0].data != "cur\n" {
		t.Errorf("recovered %+v", files)
	}

	// An empty current left behind becomes an empty .u file.
	d = base + "/e"
	write(d+"/current", "", 0o644)
	runML(t, "", d)
	files = readLogDir(t, d)
	if len(files) != 2 || files[0].data != "" || !strings.HasSuffix(files[0].name, ".u") {
		t.Errorf("recovered %+v", files)
	}
}

func TestFilesFit(t *testing.T) {
	t.Parallel()
	d := t.TempDir() + "/log"
	// Old archives of both kinds and other @-names count; the smallest
	// 25-byte prefix goes first. Short @-names do not count.
	for _, n := range []string{"@400000000000000000000003.s", "@400000000000000000000001.u",
		"@400000000000000000000002.s", "@400000000000000000000002xx", "@short"} {
		testutil.WriteFile(t, d+"/"+n, n, 0o644)
	}
	runML(t, numbered(100, 51), "s4096", "n3", d)
	ents, _ := os.ReadDir(d)
	var names []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "@4") {
			names = append(names, e.Name())
		}
	}
	if len(names) != 2 || strings.HasPrefix(names[0], "@40000000000000000000000") {
		t.Errorf("kept %v", names)
	}
	if _, err := os.Stat(d + "/@short"); err != nil {
		t.Error("@short removed")
	}
}

func TestAlarmRotates(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	a, b := base+"/a", base+"/b"
	m := startML(t, a, "-*", b)
	m.write("one\n")
	testutil.Eventually(t, 10*time.Second, "line in current", func() (bool, string) {
		data, _ := os.ReadFile(a + "/current")
		return string(data) == "one\n", string(data)
	})
	m.sigs <- syscall.SIGALRM
	testutil.Eventually(t, 10*time.Second, "rotation", func() (bool, string) {
		// previous exists for a moment during the rotation.
		arch, _ := filepath.Glob(a + "/@*.s")
		cur, err := os.ReadFile(a + "/current")
		return len(arch) == 1 && err == nil && len(cur) == 0, fmt.Sprint(arch)
	})
	// The empty current of b was left alone.
	if files := readLogDir(t, b); len(files) != 1 {
		t.Errorf("b: %+v", files)
	}
	m.write("two\n")
	if code := m.wait(); code != 0 {
		t.Fatal(code)
	}
	if got := sizes(readLogDir(t, a)); !reflect.DeepEqual(got, []int{4, 4}) {
		t.Errorf("sizes %v", got)
	}
}

func TestTermFinishesLine(t *testing.T) {
	t.Parallel()
	d := t.TempDir() + "/log"
	m := startML(t, d)
	m.write("first\npartial")
	testutil.Eventually(t, 10*time.Second, "first line", func() (bool, string) {
		data, _ := os.ReadFile(d + "/current")
		return string(data) == "first\n", string(data)
	})
	m.sigs <- syscall.SIGTERM
	// multilog now reads one byte at a time up to the end of the line.
	waitOneByteRead(t)
	m.write(" rest\nnext line\n")
	if code := m.waitExit(); code != 0 {
		t.Fatal(code)
	}
	if got := concat(readLogDir(t, d)); got != "first\npartial rest\n" {
		t.Errorf("log %q", got)
	}
}

func TestTermIdleExits(t *testing.T) {
	t.Parallel()
	d := t.TempDir() + "/log"
	m := startML(t, d)
	m.sigs <- syscall.SIGTERM
	if code := m.waitExit(); code != 0 {
		t.Fatal(code)
	}
	fi, err := os.Stat(d + "/current")
	if err != nil || fi.Mode().Perm() != 0o744 {
		t.Errorf("current %v %v", fi, err)
	}
}

// waitOneByteRead waits until a thread of this process is blocked in a
// one-byte read(2), which multilog does only after noticing SIGTERM.
func waitOneByteRead(t *testing.T) {
	t.Helper()
	if _, err := os.ReadFile("/proc/self/syscall"); err != nil {
		t.Skipf("requires /proc/PID/syscall: %v", err)
	}
	testutil.Eventually(t, 10*time.Second, "a one-byte read", func() (bool, string) {
		tasks, _ := filepath.Glob("/proc/self/task/*/syscall")
		for _, task := range tasks {
			b, _ := os.ReadFile(task)
			if f := strings.Fields(string(b)); len(f) > 3 && f[0] == "0" && f[3] == "0x1" {
				return true, ""
			}
		}
		return false, ""
	})
}
