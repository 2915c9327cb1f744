package main

import (
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/superviseproc"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// waitComm waits until pid runs the program named comm.
func waitComm(t *testing.T, pid int, comm string) {
	t.Helper()
	testutil.Eventually(t, svtest.Deadline, comm+" to run", func() (bool, string) {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		return string(b) == comm+"\n", string(b)
	})
}

// procStatus returns field name of /proc/pid/status.
func procStatus(t *testing.T, pid int, name string) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("no %s in /proc/%d/status", name, pid)
	return ""
}

func openFDs(t *testing.T, pid int) []string {
	ents, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	if err != nil {
		t.Fatal(err)
	}
	var fds []string
	for _, e := range ents {
		fds = append(fds, e.Name())
	}
	sort.Strings(fds)
	return fds
}

// The service starts with default signal dispositions, an empty signal mask
// and descriptors 0-2 only, whatever its supervisor inherited; in a session
// of its own, in the supervisor's environment, in the service directory,
// as ./run.
func TestServiceStartsClean(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\necho \"$0\" > argv0\nexec sleep 1000\n")
		extra, err := os.Open(s.Dir)
		if err != nil {
			t.Fatal(err)
		}
		defer extra.Close()
		sv := m.Launch(t, s, svtest.LaunchOptions{
			Env:       []string{"PATH=" + os.Getenv("PATH"), "KEEP=1"},
			Files:     []*os.File{extra},
			BadParent: true,
		})
		sv.WaitRunning(t)
		pid := int(s.WaitUp(t, 0).Pid)
		waitComm(t, pid, "sleep")
		// The supervisor itself inherited the bad state.
		if procfs.PPid(pid) != sv.Pid() {
			t.Fatalf("service parent %d, supervisor %d", procfs.PPid(pid), sv.Pid())
		}
		for _, f := range []string{"SigBlk", "SigIgn", "SigCgt"} {
			if v := procStatus(t, pid, f); v != "0000000000000000" {
				t.Errorf("service %s = %s", f, v)
			}
		}
		// sleep's dynamic loader holds its libraries open for a moment
		// after the exec: an inherited descriptor stays.
		testutil.Eventually(t, svtest.Deadline, "the service's descriptors to be 0 1 2", func() (bool, string) {
			fds := openFDs(t, pid)
			var links []string
			for _, fd := range fds {
				l, _ := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "fd", fd))
				links = append(links, fd+"="+l)
			}
			return strings.Join(fds, " ") == "0 1 2", strings.Join(links, " ")
		})
		// comm changes early in exec, the environment's place in memory
		// later: it reads as empty in between.
		var envb []byte
		testutil.Eventually(t, svtest.Deadline, "the service's environment", func() (bool, string) {
			envb, _ = os.ReadFile("/proc/" + strconv.Itoa(pid) + "/environ")
			return len(envb) > 0, "empty"
		})
		var env []string // the shell adds PWD
		for _, kv := range strings.Split(strings.TrimSuffix(string(envb), "\x00"), "\x00") {
			if !strings.HasPrefix(kv, "PWD=") {
				env = append(env, kv)
			}
		}
		sort.Strings(env)
		want := append([]string{"KEEP=1", "PATH=" + os.Getenv("PATH")}, m.Env...)
		sort.Strings(want)
		if strings.Join(env, " ") != strings.Join(want, " ") {
			t.Errorf("service environment %q, want %q", env, want)
		}
		if cwd, _ := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd"); cwd != s.Dir {
			t.Errorf("cwd %s", cwd)
		}
		if a := readFile(t, s.Path("argv0")); a != "./run\n" {
			t.Errorf("argv0 %q", a)
		}
		// A session and process group of its own (the default since the
		// lifecycle extensions; no-setsid keeps 0.76's: see TestNoSetsid).
		pg, _ := unix.Getpgid(pid)
		sid, _ := unix.Getsid(pid)
		if pg != pid || sid != pid {
			t.Errorf("service in process group %d, session %d; want its own (%d)", pg, sid, pid)
		}
		if th := procStatus(t, sv.Pid(), "Threads"); th != "3" && th != "4" {
			t.Errorf("%s has %s threads", m.Prog(), th)
		}
		// supervise keeps only what it opened (and the runtime's own): one
		// descriptor of the service directory, its own, not the inherited one.
		m.NotApplicable(t, "svscan keeps the descriptors it inherits, as 0.76's svscan does (svscanboot's lock on 3 among them); its services get 0-2 only, checked above")
		dirs := 0
		for _, fd := range openFDs(t, sv.Pid()) {
			link, _ := os.Readlink(filepath.Join("/proc", strconv.Itoa(sv.Pid()), "fd", fd))
			if link == s.Dir {
				dirs++
			}
		}
		if dirs != 1 {
			t.Errorf("supervise holds %d descriptors of the service directory, want 1 (its own)", dirs)
		}
	})
}

// The runtime settings supervise adds for itself are not passed on; those
// the environment sets are.
func TestServiceEnvironment(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		s := svtest.NewService(t, "s", "#!/bin/sh\nenv > env\nexec sleep 1000\n")
		m.Start(t, s, "GOGC=50", "A=b=c")
		s.WaitUp(t, 0)
		testutil.Eventually(t, svtest.Deadline, "env", func() (bool, string) {
			b, _ := os.ReadFile(s.Path("env"))
			return strings.Contains(string(b), "A=b=c\n"), string(b)
		})
		env := readFile(t, s.Path("env"))
		if !strings.Contains(env, "\nGOGC=50\n") && !strings.HasPrefix(env, "GOGC=50\n") {
			t.Errorf("GOGC=50 lost: %q", env)
		}
		for _, v := range []string{"GOMAXPROCS=", "GOMEMLIMIT=", superviseproc.ReexecVar} {
			if strings.Contains(env, v) {
				t.Errorf("service got %s", v)
			}
		}
	})
}

// supervise catches no signal but SIGCHLD (§2.9): these end it at once and
// leave the service running; svstat then says supervise is not running.
func TestSignalsEndSupervise(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT, syscall.SIGUSR1,
		syscall.SIGUSR2, syscall.SIGALRM, syscall.SIGPIPE, syscall.Signal(40)} {
		t.Run(sig.String(), func(t *testing.T) {
			eachMode(t, func(t *testing.T, m svtest.Mode) {
				m.NotApplicable(t, "the test is about what signals do to supervise's process; svscan catches its own")
				s := svtest.NewService(t, "s", sleeper)
				sv := m.Start(t, s, env()...)
				p := sv.Proc
				up := s.WaitUp(t, 0)
				waitComm(t, int(up.Pid), "sleep") // 0.76's child holds supervise's descriptors until it execs
				p.Signal(sig)
				// A dying multi-threaded process shows as a zombie before its
				// last thread has let go of its descriptors: wait for svstat.
				testutil.Eventually(t, svtest.Deadline, "svstat: supervise not running", func() (bool, string) {
					r := testutil.Run(t, testutil.Options{Dir: s.Parent}, m.Svstat, "s")
					return r.Stdout == "s: supervise not running\n", r.Stdout
				})
				if procfs.Alive(p.Pid()) {
					t.Error("supervise still alive")
				}
				if !procfs.Alive(int(up.Pid)) {
					t.Error("service died with supervise")
				}
				// The service holds supervise's output open: end it first.
				syscall.Kill(int(up.Pid), syscall.SIGKILL)
				if code := p.Wait(t, svtest.Deadline); code != -1 {
					t.Errorf("exit code %d, want death by signal", code)
				}
			})
		})
	}
}

// With GOGC off, the supervisor collects the garbage its starts leave
// (ForkExec copies the environment each time): with a 480 KB environment
// and a run that exits at once, its memory stays flat.
func TestGarbageCollected(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		env := env()
		for i := 0; i < 8; i++ {
			env = append(env, "BIG"+strconv.Itoa(i)+"="+strings.Repeat("x", 60000))
		}
		s := svtest.NewService(t, "s", "#!/bin/sh\nexit 1\n")
		p := m.Launch(t, s, svtest.LaunchOptions{Env: env})
		p.WaitRunning(t)
		rss := func() int {
			b, _ := os.ReadFile("/proc/" + strconv.Itoa(p.Pid()) + "/smaps_rollup")
			for _, l := range strings.Split(string(b), "\n") {
				if v, ok := strings.CutPrefix(l, "Rss:"); ok {
					n, _ := strconv.Atoi(strings.Fields(v)[0])
					return n
				}
			}
			t.Fatal("no Rss")
			return 0
		}
		startTimes(t, s, 3)
		before := rss()
		startTimes(t, s, 6)
		after := rss()
		if after-before > 1500 {
			t.Errorf("RSS grew from %d KB to %d KB over 6 starts", before, after)
		}
	})
}

// supervise re-executes itself once at start-up; ps, pgrep and killall must
// still see it as "supervise", also when its file was removed meanwhile (an
// upgrade in place) and the re-exec has to go through /proc/self/exe.
func TestProcessName(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		m.NotApplicable(t, "the test is about supervise's re-exec and process name")
		processName(t)
	})
}

func processName(t *testing.T) {
	b, err := os.ReadFile(testutil.Bin(t, "supervise"))
	if err != nil {
		t.Fatal(err)
	}
	for _, removed := range []bool{false, true} {
		bin := filepath.Join(t.TempDir(), "supervise")
		testutil.WriteFile(t, bin, string(b), 0o755) // no ETXTBSY race with parallel forks
		s := svtest.NewService(t, "s", "#!/bin/sh\nexec sleep 1000\n")
		// With removed, supervise is started from a descriptor of its file,
		// which is gone by then: its /proc/self/exe reads "... (deleted)".
		script := `exec "$1" "$2"`
		if removed {
			script = `exec 3<"$1" && rm "$1" && exec /dev/fd/3 "$2"`
		}
		p := testutil.Start(t, testutil.Options{}, "/bin/sh", "-c", script, "sh", bin, s.Dir)
		s.WaitUp(t, 0)
		comm := strings.TrimSpace(readFile(t, "/proc/"+strconv.Itoa(p.Pid())+"/comm"))
		if comm != "supervise" {
			t.Errorf("removed=%v: process name %q, want supervise", removed, comm)
		}
	}
}

// switches is the number of context switches of every thread of pid.
func switches(t *testing.T, pid int) int {
	t.Helper()
	tasks, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, task := range tasks {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + task.Name() + "/status")
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.HasSuffix(k, "ctxt_switches") {
				c, _ := strconv.Atoi(strings.TrimSpace(v))
				n += c
			}
		}
	}
	return n
}

// TestIdleQuiet: a supervisor whose service runs quietly does not wake up
// at all (svscan -C, with its scans an hour apart, neither). A Go program's monitor thread otherwise wakes twice a minute
// (internal/lean/quiet.go); the window is a little longer than one of its
// sleeps. This test takes 65 seconds, in parallel with the others.
func TestIdleQuiet(t *testing.T) {
	eachOurMode(t, func(t *testing.T, m svtest.Mode) {
		if testing.Short() {
			t.Skip("skipped with -short: takes 65 seconds")
		}
		s := svtest.NewService(t, "s", "#!/bin/sh\nexec sleep 3600\n")
		p := m.Start(t, s)
		s.WaitUp(t, 0)
		// Past the second's pause after a start, and the runtime's start-up.
		testutil.Eventually(t, svtest.Deadline, m.Prog()+" settled", func() (bool, string) {
			before := switches(t, p.Pid())
			time.Sleep(2 * time.Second)
			after := switches(t, p.Pid())
			return after == before, strconv.Itoa(after-before) + " switches in 2 s"
		})
		before := switches(t, p.Pid())
		time.Sleep(65 * time.Second)
		if n := switches(t, p.Pid()) - before; n > 1 {
			t.Errorf("idle %s switched %d times in 65 s, want at most 1", m.Prog(), n)
		}
	})
}
