package creds

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
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

// TestBecomeAllThreads runs Become in a helper copy of this test binary that
// has several OS threads, then checks every thread's ids in
// /proc/self/task: the whole process must have changed, not one thread.
func TestBecomeAllThreads(t *testing.T) {
	if os.Getenv("CREDS_HELPER") == "1" {
		becomeHelper()
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("requires root")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestBecomeAllThreads$")
	cmd.Env = append(os.Environ(), "CREDS_HELPER=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	threads := 0
	for _, l := range lines {
		if !strings.HasPrefix(l, "thread ") {
			continue
		}
		threads++
		if !strings.HasSuffix(l, "Uid: 65534 65534 65534 65534|Gid: 65533 65533 65533 65533|Groups: 65533") {
			t.Errorf("%s", l)
		}
	}
	if threads < 3 {
		t.Errorf("helper had %d threads, want several:\n%s", threads, out)
	}
}

// becomeHelper starts threads of its own, becomes uid 65534 /
// gid 65533, and prints the ids of every thread.
func becomeHelper() {
	for range 4 {
		go func() {
			runtime.LockOSThread() // this goroutine keeps a thread of its own
			select {}
		}()
	}
	runtime.LockOSThread()
	if err := Become(65534, 65533); err != nil {
		fmt.Println("Become:", err)
		os.Exit(1)
	}
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		b, _ := os.ReadFile("/proc/self/task/" + task.Name() + "/status")
		var ids []string
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "Uid:") || strings.HasPrefix(l, "Gid:") || strings.HasPrefix(l, "Groups:") {
				ids = append(ids, strings.Join(strings.Fields(l), " "))
			}
		}
		fmt.Println("thread", task.Name(), strings.Join(ids, "|"))
	}
	os.Exit(0)
}
