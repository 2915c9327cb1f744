package multilog

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestStderrAction(t *testing.T) {
	t.Parallel()
	long := func(n int) string { return strings.Repeat("x", n) }
	tests := []struct {
		name, input string
		args        []string
		want        string
	}{
		{"none", "one\ntwo\n", nil, ""},
		{"e", "one\ntwo\n", []string{"e"}, "one\ntwo\n"},
		{"partial", "one\ntwo", []string{"e"}, "one\ntwo\n"},
		{"ee", "one\ntwo\n", []string{"e", "e"}, "one\none\ntwo\ntwo\n"},
		{"deselect", "one\ntwo\n", []string{"-*", "e"}, ""},
		{"reselect", "one\ntwo\n", []string{"-*", "+one", "e"}, "one\n"},
		{"empty line", "\n\n", []string{"e"}, "\n\n"},
		{"199/200/201", long(199) + "\n" + long(200) + "\n" + long(201) + "\n", []string{"e"},
			long(199) + "\n" + long(200) + "\n" + long(200) + "...\n"},
		{"view of 1000", long(5000) + "y\n", []string{"+" + long(1000), "e", "-*", "+*y", "elephant"}, long(200) + "...\n"},
		{"nul", "a\x00b\xff\n", []string{"e"}, "a\x00b\xff\n"},
	}
	for _, tc := range tests {
		got, code := runML(t, tc.input, tc.args...)
		if got != tc.want || code != 0 {
			t.Errorf("%s: stderr %q exit %d, want %q exit 0", tc.name, got, code, tc.want)
		}
	}
}

func TestTimestamp(t *testing.T) {
	t.Parallel()
	got, _ := runML(t, "one\n\ntwo", "t", "e", "t", "e")
	re := regexp.MustCompile(`^(@[0-9a-f]{24}) one\n(@[0-9a-f]{24}) one\n(@[0-9a-f]{24}) \n(@[0-9a-f]{24}) \n(@[0-9a-f]{24}) two\n(@[0-9a-f]{24}) two\n$`)
	m := re.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("stderr %q", got)
	}
	if m[1] != m[2] || m[3] != m[4] || m[5] != m[6] || m[1] > m[3] || m[3] > m[5] {
		t.Errorf("labels not one per line, in order: %q", got)
	}
	// A timestamp counts toward the 1000 bytes seen by e and patterns.
	got, _ = runML(t, strings.Repeat("x", 2000)+"\n", "t", "-*", "+@* "+strings.Repeat("x", 974), "e")
	if len(got) != 204 {
		t.Errorf("t view: got %d bytes %q", len(got), got)
	}
}

func TestStatusFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	st := filepath.Join(dir, "st")
	if _, code := runML(t, "one\ntwo\n", "="+st); code != 0 {
		t.Fatal(code)
	}
	b, _ := os.ReadFile(st)
	if want := "two" + strings.Repeat("\n", 998); string(b) != want {
		t.Errorf("status %q", b)
	}
	if fi, _ := os.Stat(st); fi.Mode().Perm() != 0o600&^umask() {
		t.Errorf("mode %v", fi.Mode())
	}
	// Longer old content stays beyond 1001 bytes; only selected lines count;
	// a 1500-byte line is cut to 1000.
	old := strings.Repeat("o", 1500)
	os.WriteFile(st, []byte(old), 0o600)
	runML(t, strings.Repeat("L", 1500)+"\nskip\n", "-skip", "="+st)
	b, _ = os.ReadFile(st)
	if want := strings.Repeat("L", 1000) + "\n" + old[1001:]; string(b) != want {
		t.Errorf("status after long line: %d bytes", len(b))
	}
	// Until the first selected line, the file keeps its content.
	os.WriteFile(st, []byte("old"), 0o600)
	runML(t, "x\n", "-*", "="+st)
	if b, _ = os.ReadFile(st); string(b) != "old" {
		t.Errorf("unselected: %q", b)
	}
}

func umask() os.FileMode {
	dir, _ := os.MkdirTemp("", "umask")
	defer os.RemoveAll(dir)
	os.WriteFile(dir+"/f", nil, 0o777)
	fi, _ := os.Stat(dir + "/f")
	return 0o777 &^ fi.Mode().Perm()
}

func TestFatalStartup(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(dir+"/file", nil, 0o644)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"=" + dir + "/no/st"}, "multilog: fatal: unable to create " + dir + "/no/st: file does not exist\n"},
		{[]string{dir + "/no/d"}, "multilog: fatal: unable to open directory " + dir + "/no/d: file does not exist\n"},
		{[]string{dir + "/file"}, "multilog: fatal: unable to open directory " + dir + "/file: not a directory\n"},
		{[]string{dir + "/d", dir + "/d"}, "multilog: fatal: unable to lock directory " + dir + "/d: temporary failure\n"},
		// = files are opened before any directory is.
		{[]string{dir + "/d2", "=" + dir + "/no/st"}, "multilog: fatal: unable to create " + dir + "/no/st: file does not exist\n"},
	}
	for _, tc := range tests {
		got, code := runML(t, "x\n", tc.args...)
		if got != tc.want || code != 111 {
			t.Errorf("%q: %q exit %d, want %q exit 111", tc.args, got, code, tc.want)
		}
	}
	if _, err := os.Stat(dir + "/d2"); err == nil {
		t.Error("directory created before the = file failed")
	}
}

func TestLongLinesAndBadBytes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir() + "/log"
	var in bytes.Buffer
	in.WriteString("short\n")
	in.Write(bytes.Repeat([]byte("0123456789"), 1<<20)) // 10 MiB line
	in.WriteString("\n\x00\x01\xff\xfe\xc3(\n\n")
	in.WriteString(strings.Repeat("z", 999) + "\n" + strings.Repeat("y", 1000) + "\n" + strings.Repeat("w", 1001) + "\n")
	in.WriteString("no newline at EOF")
	if _, code := runML(t, in.String(), "s16777215", dir); code != 0 {
		t.Fatal(code)
	}
	files := readLogDir(t, dir)
	if got := concat(files); got != in.String()+"\n" {
		t.Errorf("log differs: %d bytes, want %d", len(got), in.Len()+1)
	}
	for _, f := range files[:len(files)-1] {
		if len(f.data) > 16777215 || f.data[len(f.data)-1] != '\n' {
			t.Errorf("%s: %d bytes", f.name, len(f.data))
		}
	}
}

func TestSelectionPerDirectory(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	a, b, c := base+"/a", base+"/b", base+"/c"
	long := strings.Repeat("k", 3000)
	input := "keep 1\ndrop 2\nkeep 3\n" + "drop" + long + "\n"
	if _, code := runML(t, input, a, "-drop*", b, "-*", "+drop*", c); code != 0 {
		t.Fatal(code)
	}
	for _, tc := range []struct{ dir, want string }{
		{a, input},
		{b, "keep 1\nkeep 3\n"},
		{c, "drop 2\ndrop" + long + "\n"},
	} {
		if got := concat(readLogDir(t, tc.dir)); got != tc.want {
			t.Errorf("%s: %q", tc.dir, got)
		}
	}
	fi, _ := os.Stat(a + "/current")
	if fi.Mode().Perm() != 0o744 {
		t.Errorf("current mode %v after EOF", fi.Mode())
	}
}

func TestNoActions(t *testing.T) {
	t.Parallel()
	if got, code := runML(t, strings.Repeat("line\n", 100000)); got != "" || code != 0 {
		t.Errorf("%q %d", got, code)
	}
}
