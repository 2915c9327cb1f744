package fghack

import (
	"os"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

// pipeFds lists the child descriptors that are copies of w.
func pipeFds(files []int, w int) []int {
	var fds []int
	for i, fd := range files {
		if fd == w {
			fds = append(fds, i)
		}
	}
	return fds
}

func span(from, to int) []int {
	var v []int
	for i := from; i <= to; i++ {
		v = append(v, i)
	}
	return v
}

func TestChildFiles(t *testing.T) {
	const w = 99
	for _, c := range []struct {
		what      string
		inherited []int
		pipes     []int
	}{
		// pipe() gives 3 (read) and 4 (write); the child closes 3 and dups
		// 4 onto 3, 5, 6, ... 33.
		{"stdio only", []int{0, 1, 2}, span(3, 33)},
		// Inherited 10: dups skip it.
		{"inherited 10", []int{0, 1, 2, 10}, append(append([]int{3}, span(4, 9)...), span(11, 34)...)},
		// Inherited 3: pipe is 4 and 5; dups fill 4 (freed read end), 6...
		{"inherited 3", []int{0, 1, 2, 3}, span(4, 34)},
		// stdin closed: the pipe is 0 (read) and 3 (write); dups 0, 4...
		{"stdin closed", []int{1, 2}, append([]int{0}, span(3, 32)...)},
		{"nothing open", nil, span(0, 30)},
	} {
		files := ChildFiles(c.inherited, w)
		got := pipeFds(files, w)
		slices.Sort(got)
		if !slices.Equal(got, c.pipes) {
			t.Errorf("%s: pipe copies on %v, want %v", c.what, got, c.pipes)
		}
		if len(got) != Copies {
			t.Errorf("%s: %d copies", c.what, len(got))
		}
		for _, fd := range c.inherited {
			if files[fd] != fd {
				t.Errorf("%s: inherited %d maps to %d", c.what, fd, files[fd])
			}
		}
		for i, fd := range files {
			if fd != w && fd != i && fd != -1 {
				t.Errorf("%s: child fd %d is %d", c.what, i, fd)
			}
		}
	}
}

// The table reaches past every inherited descriptor, so that ForkExec's
// temporary descriptors land above all of them.
func TestChildFilesCoversInherited(t *testing.T) {
	files := ChildFiles([]int{0, 1, 2, 251}, 99)
	if len(files) != 252 || files[251] != 251 || files[100] != -1 {
		t.Errorf("len %d, [251]=%d, [100]=%d", len(files), files[251], files[100])
	}
}

func TestInherited(t *testing.T) {
	f, err := os.Open("/dev/null") // close-on-exec: not inherited
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd, err := unix.Open("/dev/null", unix.O_RDONLY, 0) // no close-on-exec: inherited
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	got := Inherited()
	if !slices.Contains(got, fd) || slices.Contains(got, int(f.Fd())) {
		t.Errorf("Inherited() = %v: want %d in, %d out", got, fd, f.Fd())
	}
}
