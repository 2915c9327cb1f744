package pathexec

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

// The prepared exec follows the same search and error precedence as Search;
// only failures can be seen from inside the test process.
func TestPreparedErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("noexec/prog", "#!/bin/sh\n", 0o644)
	write("noshebang/prog", "echo hi\n", 0o755)
	if err := os.MkdirAll(filepath.Join(dir, "isdir/prog"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path string
		want       error
	}{
		{"prog", dir + "/missing", unix.ENOENT},
		{"prog", dir + "/missing:" + dir + "/noexec:" + dir + "/missing2", unix.EACCES},
		{"prog", dir + "/isdir:" + dir + "/missing", unix.EACCES}, // execve of a directory: EACCES
		{"prog", dir + "/noexec:" + dir + "/noshebang:" + dir + "/missing", unix.ENOEXEC},
		{dir + "/noshebang/prog", "/nonexistent", unix.ENOEXEC},
		{dir + "/nothing", "", unix.ENOENT},
	} {
		env := []string{"PATH=" + c.path}
		p, err := Prepare([]string{c.name, "arg"}, env)
		if err != nil {
			t.Fatalf("Prepare(%s): %v", c.name, err)
		}
		if got := p.Exec(); !errors.Is(got, c.want) {
			t.Errorf("%s PATH=%s: Exec = %v, want %v", c.name, c.path, got, c.want)
		}
	}
}

func TestPreparedCandidates(t *testing.T) {
	p, err := Prepare([]string{"prog"}, []string{"PATH=/a::/b"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range p.paths {
		got = append(got, unix.BytePtrToString(b))
	}
	if want := []string{"/a/prog", "./prog", "/b/prog"}; !reflect.DeepEqual(got, want) {
		t.Errorf("candidates %q, want %q", got, want)
	}
}

func TestPreparedExecAllocatesNothing(t *testing.T) {
	p, err := Prepare([]string{"prog", "x"}, []string{"PATH=/nonexistent/a:/nonexistent/b", "A=1"})
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { p.Exec() }); n != 0 { //nolint:errcheck
		t.Errorf("Exec allocates %v times per run", n)
	}
}
