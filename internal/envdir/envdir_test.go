package envdir

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/pathexec"
)

func set(name, value string) pathexec.Edit { return pathexec.Edit{Name: name, Value: value} }
func remove(name string) pathexec.Edit     { return pathexec.Edit{Name: name, Remove: true} }

// entry is one directory entry as Next sees it; missing marks ENOENT.
type entry struct {
	name    string
	content string
	missing bool
}

func TestValueSequences(t *testing.T) {
	for _, c := range []struct {
		what    string
		entries []entry
		want    []pathexec.Edit
	}{
		{"first line only", []entry{{name: "A", content: "one\ntwo\n"}}, []pathexec.Edit{set("A", "one")}},
		{"trailing blanks", []entry{{name: "A", content: " x \t \t\nmore"}}, []pathexec.Edit{set("A", " x")}},
		{"CR stays", []entry{{name: "A", content: "x\r \n"}}, []pathexec.Edit{set("A", "x\r")}},
		{"NUL to newline", []entry{{name: "A", content: "a\x00b\x00"}}, []pathexec.Edit{set("A", "a\nb\n")}},
		{"strip before NUL change", []entry{{name: "A", content: "a\x00 \t"}}, []pathexec.Edit{set("A", "a\n")}},
		{"NUL protects blanks", []entry{{name: "A", content: "a \x00"}}, []pathexec.Edit{set("A", "a \n")}},
		{"empty file removes", []entry{{name: "A", content: ""}}, []pathexec.Edit{remove("A")}},
		{"newline only sets empty", []entry{{name: "A", content: "\n"}}, []pathexec.Edit{set("A", "")}},
		{"blanks only set empty", []entry{{name: "A", content: "  \t"}}, []pathexec.Edit{set("A", "")}},
		{"no newline at end", []entry{{name: "A", content: "v"}}, []pathexec.Edit{set("A", "v")}},
		// The stale-value bug of 0.76, kept:
		{"missing first is removed", []entry{{name: "Z", missing: true}, {name: "A", content: "a"}},
			[]pathexec.Edit{remove("Z"), set("A", "a")}},
		{"missing after a value gets value+newline", []entry{{name: "R", content: "valR\nsecond"}, {name: "Z", missing: true}},
			[]pathexec.Edit{set("R", "valR"), set("Z", "valR\n")}},
		{"two missing in a row", []entry{{name: "R", content: "valR"}, {name: "Y", missing: true}, {name: "Z", missing: true}, {name: "W", missing: true}},
			[]pathexec.Edit{set("R", "valR"), set("Y", "valR\n"), set("Z", "valR"), set("W", "valR\n")}},
		{"missing after a NUL value", []entry{{name: "N", content: "a\x00b"}, {name: "Z", missing: true}},
			[]pathexec.Edit{set("N", "a\nb"), set("Z", "a")}},
		{"missing after blanks", []entry{{name: "B", content: "b  "}, {name: "Z", missing: true}},
			[]pathexec.Edit{set("B", "b"), set("Z", "b\n")}},
		{"missing after an empty file", []entry{{name: "R", content: "r"}, {name: "E", content: ""}, {name: "Z", missing: true}},
			[]pathexec.Edit{set("R", "r"), remove("E"), remove("Z")}},
		{"missing after an empty value", []entry{{name: "E", content: "\n"}, {name: "Z", missing: true}},
			[]pathexec.Edit{set("E", ""), set("Z", "\n")}},
		// A name holding '=': the variable is named up to the first '='.
		{"name with =", []entry{{name: "A=B", content: "x"}}, []pathexec.Edit{set("A", "B=x")}},
		{"empty file with =", []entry{{name: "A=B", content: ""}}, []pathexec.Edit{set("A", "B")}},
		{"name =X", []entry{{name: "=X", content: "y"}}, []pathexec.Edit{set("", "X=y")}},
	} {
		var v Value
		var got []pathexec.Edit
		for _, e := range c.entries {
			got = append(got, v.Next(e.name, []byte(e.content), e.missing))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %+v, want %+v", c.what, got, c.want)
		}
	}
}

func mkdir(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(path, 0o755); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, path string) {
	t.Helper()
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
}

// readdirOrder lists dir in the order the kernel returns its entries.
func readdirOrder(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "env")
	mkdir(t, dir)
	files := map[string]string{"A": "alpha\nbeta", "B": "", "C": "\n", "D": "d \t", "E=F": "g"}
	for name, content := range files {
		write(t, filepath.Join(dir, name), content)
	}
	write(t, filepath.Join(dir, ".hidden"), "h")
	mkdir(t, filepath.Join(dir, ".subdir")) // a dot-directory is skipped, not read
	symlink(t, "A", filepath.Join(dir, "L"))
	wd, _ := os.Getwd()
	edits, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if now, _ := os.Getwd(); now != wd {
		t.Errorf("working directory changed from %s to %s", wd, now)
	}
	// Expected edits, in readdir order.
	var want []pathexec.Edit
	var v Value
	for _, name := range readdirOrder(t, dir) {
		if strings.HasPrefix(name, ".") {
			continue
		}
		content, ok := files[name]
		if name == "L" {
			content, ok = files["A"], true
		}
		if !ok {
			t.Fatalf("unexpected entry %s", name)
		}
		want = append(want, v.Next(name, []byte(content), false))
	}
	if !reflect.DeepEqual(edits, want) {
		t.Errorf("Read = %+v, want %+v", edits, want)
	}
	byName := map[string]pathexec.Edit{}
	for _, e := range edits {
		byName[e.Name] = e
	}
	for name, e := range map[string]pathexec.Edit{"A": set("A", "alpha"), "B": remove("B"), "C": set("C", ""), "D": set("D", "d"), "E": set("E", "F=g"), "L": set("L", "alpha")} {
		if byName[name] != e {
			t.Errorf("%s: %+v, want %+v", name, byName[name], e)
		}
	}
}

func TestReadErrors(t *testing.T) {
	base := t.TempDir()
	path := func(p string) string { return filepath.Join(base, p) }
	write(t, path("file"), "x")
	symlink(t, "self", path("self"))
	mkdir(t, path("withdir/sub"))
	mkdir(t, path("withloop"))
	symlink(t, "loop", path("withloop/loop"))
	mkdir(t, path("withfifo"))
	if err := unix.Mkfifo(path("withfifo/F"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Hold the FIFO open for reading and writing: envdir's non-blocking
	// read then finds a writer but no data.
	fifo, err := os.OpenFile(path("withfifo/F"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fifo.Close()
	for _, c := range []struct {
		dir, msg string
		errno    unix.Errno
	}{
		{path("missing"), "switch to directory " + path("missing"), unix.ENOENT},
		{path("file"), "switch to directory " + path("file"), unix.ENOTDIR},
		{path("self"), "switch to directory " + path("self"), unix.ELOOP},
		{path("withdir"), "read " + path("withdir") + "/sub", unix.EISDIR},
		{path("withloop"), "read " + path("withloop") + "/loop", unix.ELOOP},
		{path("withfifo"), "read " + path("withfifo") + "/F", unix.EAGAIN},
	} {
		_, err := Read(c.dir)
		var e *Error
		if !errors.As(err, &e) || e.What != c.msg || !errors.Is(err, c.errno) {
			t.Errorf("Read(%s) = %v, want %q: %v", c.dir, err, c.msg, c.errno)
		}
	}
	// An empty FIFO with no writer reads as 0 bytes: the variable is removed.
	mkdir(t, path("lonefifo"))
	if err := unix.Mkfifo(path("lonefifo/G"), 0o644); err != nil {
		t.Fatal(err)
	}
	if edits, err := Read(path("lonefifo")); err != nil || !reflect.DeepEqual(edits, []pathexec.Edit{remove("G")}) {
		t.Errorf("lone FIFO: %+v, %v", edits, err)
	}
}

func TestReadLargeFile(t *testing.T) {
	dir := t.TempDir()
	big := strings.Repeat("x", 100000)
	write(t, filepath.Join(dir, "BIG"), big+"\nrest")
	edits, err := Read(dir)
	if err != nil || len(edits) != 1 || edits[0] != set("BIG", big) {
		t.Errorf("large file: %d edits, %v", len(edits), err)
	}
}
