package creds

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCheck(t *testing.T) {
	good := IDs{5, 5, 5, 7, 7, 7, []int{7}}
	for _, c := range []struct {
		name string
		mod  func(*IDs)
		op   string
	}{
		{"exact", func(*IDs) {}, ""},
		{"real uid", func(i *IDs) { i.Ruid = 0 }, "setuid"},
		{"effective uid", func(i *IDs) { i.Euid = 0 }, "setuid"},
		{"saved uid", func(i *IDs) { i.Suid = 0 }, "setuid"},
		{"real gid", func(i *IDs) { i.Rgid = 0 }, "setgid"},
		{"effective gid", func(i *IDs) { i.Egid = 0 }, "setgid"},
		{"saved gid", func(i *IDs) { i.Sgid = 0 }, "setgid"},
		{"extra group", func(i *IDs) { i.Groups = []int{7, 0} }, "setgid"},
		{"no group", func(i *IDs) { i.Groups = nil }, "setgid"},
		{"other group", func(i *IDs) { i.Groups = []int{8} }, "setgid"},
		{"gid and uid wrong", func(i *IDs) { i.Egid, i.Euid = 0, 0 }, "setgid"},
	} {
		ids := good
		ids.Groups = append([]int(nil), good.Groups...)
		c.mod(&ids)
		err := Check(5, 7, ids)
		var e *Error
		switch {
		case c.op == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.op != "" && (!errors.As(err, &e) || e.Op != c.op || !errors.Is(err, unix.EPERM)):
			t.Errorf("%s: %v, want %s EPERM", c.name, err, c.op)
		}
	}
}

func TestErrorText(t *testing.T) {
	e := &Error{"setuid", unix.EPERM}
	if e.Error() != "unable to setuid: operation not permitted" {
		t.Errorf("Error() = %q", e.Error())
	}
}
