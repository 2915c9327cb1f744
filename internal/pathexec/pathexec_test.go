package pathexec

import (
	"errors"
	"reflect"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSearchOrderAndErrors(t *testing.T) {
	type result = map[string]error
	for _, c := range []struct {
		name    string
		env     []string
		results result
		tried   []string
		want    error
	}{
		{"prog", []string{"PATH=/a::/b"}, result{}, []string{"/a/prog", "./prog", "/b/prog"}, unix.ENOENT},
		{"prog", nil, result{}, []string{"/bin/prog", "/usr/bin/prog"}, unix.ENOENT},
		{"prog", []string{"PATH=/a:/b:/c"}, result{"/a/prog": unix.EACCES, "/b/prog": unix.ENOENT}, []string{"/a/prog", "/b/prog", "/c/prog"}, unix.EACCES},
		{"prog", []string{"PATH=/a:/b:/c"}, result{"/a/prog": unix.EACCES, "/b/prog": unix.ENOEXEC}, []string{"/a/prog", "/b/prog"}, unix.ENOEXEC},
		{"prog", []string{"PATH=/a:/b"}, result{"/a/prog": nil}, []string{"/a/prog"}, nil},
		{"./x/prog", []string{"PATH=/a"}, result{}, []string{"./x/prog"}, unix.ENOENT},
		{"prog", []string{"PATH="}, result{}, []string{"./prog"}, unix.ENOENT},
	} {
		var tried []string
		err := Search(c.name, c.env, func(p string) error {
			tried = append(tried, p)
			if e, ok := c.results[p]; ok {
				return e
			}
			return unix.ENOENT
		})
		if !reflect.DeepEqual(tried, c.tried) {
			t.Errorf("%s %q: tried %q, want %q", c.name, c.env, tried, c.tried)
		}
		if !errors.Is(err, c.want) && !(err == nil && c.want == nil) {
			t.Errorf("%s %q: err %v, want %v", c.name, c.env, err, c.want)
		}
	}
}

func TestApply(t *testing.T) {
	env := []string{"A=1", "B=2", "C=3", "NOEQ"}
	got := Apply(env, []Edit{{Name: "A", Value: "x"}, {Name: "NOEQ", Remove: true}, {Name: "Z", Remove: true}, {Name: "B", Value: ""}})
	// A removed (NOEQ moved into its place), A=x appended; NOEQ removed
	// (A=x moved into its place); B removed (C=3 moved), B= appended.
	want := []string{"A=x", "C=3", "B="}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Apply = %q, want %q", got, want)
	}
	if !reflect.DeepEqual(env, []string{"A=1", "B=2", "C=3", "NOEQ"}) {
		t.Error("Apply changed its input")
	}
}

func TestGetenv(t *testing.T) {
	env := []string{"PATHX=no", "PATH=/x", "PATH=/y"}
	if v, ok := Getenv(env, "PATH"); !ok || v != "/x" {
		t.Errorf("Getenv = %q %v", v, ok)
	}
	if _, ok := Getenv(env, "HOME"); ok {
		t.Error("found HOME")
	}
}
