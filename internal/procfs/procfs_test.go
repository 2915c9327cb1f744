package procfs

import (
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

func TestParseStat(t *testing.T) {
	// A command name with spaces and parentheses, as a process may choose.
	b := []byte("4242 (a) b (c)) S 17 4242 4242 0 -1 4194560 100 0 0 0 25 13 0 0 20 0 3 0 12345 1000 200 18446744073709551615\n")
	st, err := ParseStat(b)
	if err != nil {
		t.Fatal(err)
	}
	want := Stat{Comm: "a) b (c)", State: 'S', PPid: 17, PGrp: 4242, Session: 4242, Utime: 25, Stime: 13, Threads: 3}
	if st != want {
		t.Errorf("got %+v, want %+v", st, want)
	}
	for _, bad := range []string{"", "12 noparen S 1", "12 (x) S 1 2"} {
		if _, err := ParseStat([]byte(bad)); err == nil {
			t.Errorf("ParseStat(%q) succeeded", bad)
		}
	}
}

func TestParseSmapsRollupCtxtSchedstatHWM(t *testing.T) {
	smaps := "00400000-7ffd [rollup]\nRss:                1356 kB\nPss:                  95 kB\nPss_Dirty:            40 kB\n"
	m, err := ParseSmapsRollup([]byte(smaps))
	if err != nil || m != (Mem{Rss: 1356, Pss: 95}) {
		t.Errorf("smaps_rollup: %+v %v", m, err)
	}
	if _, err := ParseSmapsRollup([]byte("Rss: 1 kB\n")); err == nil {
		t.Error("smaps_rollup without Pss accepted")
	}
	status := "Name:\tsupervise\nVmHWM:\t    1400 kB\nThreads:\t1\nvoluntary_ctxt_switches:\t12\nnonvoluntary_ctxt_switches:\t3\n"
	vol, nonvol, err := ParseCtxt([]byte(status))
	if err != nil || vol != 12 || nonvol != 3 {
		t.Errorf("ctxt: %d %d %v", vol, nonvol, err)
	}
	if _, _, err := ParseCtxt([]byte("Name:\tx\n")); err == nil {
		t.Error("status without ctxt lines accepted")
	}
	if hwm, err := ParseHWM([]byte(status)); err != nil || hwm != 1400 {
		t.Errorf("VmHWM: %d %v", hwm, err)
	}
	if _, err := ParseHWM([]byte("Name:\tzombie\n")); err == nil {
		t.Error("status without VmHWM accepted")
	}
	ns, err := ParseSchedstat([]byte("94858874 937769650 43\n"))
	if err != nil || ns != 94858874 {
		t.Errorf("schedstat: %d %v", ns, err)
	}
}

func TestBelongsTo(t *testing.T) {
	root := "/tmp/dtbench-1"
	for _, c := range []struct {
		cwd, cmdline string
		want         bool
	}{
		{"/tmp/dtbench-1", "svscan\x00", true},
		{"/tmp/dtbench-1/svc/s0001", "sleep\x001000000\x00", true},
		{"/", "svscan\x00/tmp/dtbench-1/service\x00", true},
		{"/", "multilog\x00t\x00/tmp/dtbench-1\x00", true},
		{"/tmp/dtbench-10", "sleep\x00", false},
		{"/", "cat\x00/tmp/dtbench-10/x\x00", false},
	} {
		if got := BelongsTo(c.cwd, c.cmdline, root); got != c.want {
			t.Errorf("BelongsTo(%q, %q) = %v", c.cwd, c.cmdline, got)
		}
	}
}

func TestReadSelf(t *testing.T) {
	pid := os.Getpid()
	u, err := ReadUsage(pid)
	if err != nil || u.Threads < 1 || u.CPUNanos == 0 || u.Switches == 0 {
		t.Errorf("ReadUsage(self) = %+v, %v", u, err)
	}
	m, err := ReadMem(pid)
	if err != nil || m.Pss == 0 || m.Rss < m.Pss {
		t.Errorf("ReadMem(self) = %+v, %v", m, err)
	}
	st, err := ReadStat(pid)
	if err != nil || (st.State != 'R' && st.State != 'S') || st.PPid != os.Getppid() || st.Threads < 1 {
		t.Errorf("ReadStat(self) = %+v, %v", st, err)
	}
	if u.Ticks > st.Utime+st.Stime { // read before st: ticks only grow
		t.Errorf("ReadUsage(self).Ticks = %d, later stat says %d+%d", u.Ticks, st.Utime, st.Stime)
	}
	if d := u.Add(u).Sub(u); d.CPUNanos != u.CPUNanos || d.Switches != u.Switches || d.Ticks != u.Ticks || d.CPU() != u.CPU() {
		t.Errorf("Add/Sub: %+v", d)
	}
}

func TestTreeAndUnder(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", "sleep 60 & wait")
	cmd.Dir = dir
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		for _, pid := range LiveDescendants(cmd.Process.Pid) {
			p, _ := os.FindProcess(pid)
			p.Kill()
		}
		cmd.Process.Kill()
		cmd.Wait()
	}()
	var under []int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if under = Under(dir); len(under) == 2 { // sh has forked sleep
			break
		}
	}
	desc := LiveDescendants(os.Getpid())
	if len(under) != 2 || !slices.Contains(under, cmd.Process.Pid) {
		t.Fatalf("Under(%s) = %v, want sh %d and its sleep", dir, under, cmd.Process.Pid)
	}
	for _, pid := range under {
		if !slices.Contains(desc, pid) || !Alive(pid) {
			t.Errorf("%d not a live descendant (%v)", pid, desc)
		}
	}
	kids := Children(cmd.Process.Pid)
	if len(kids) != 1 || !slices.Equal(LiveChildren(cmd.Process.Pid), kids) {
		t.Fatalf("Children(sh) = %v, LiveChildren %v", kids, LiveChildren(cmd.Process.Pid))
	}
	if PPid(kids[0]) != cmd.Process.Pid || Cwd(kids[0]) != dir {
		t.Errorf("sleep: parent %d, cwd %q", PPid(kids[0]), Cwd(kids[0]))
	}
	if args := Cmdline(kids[0]); !slices.Equal(args, []string{"sleep", "60"}) {
		t.Errorf("Cmdline(sleep) = %q", args)
	}
	if got := SumUsage(under); got.Threads != 2 {
		t.Errorf("SumUsage: %+v", got)
	}
}

// A child that has exited and is not reaped yet is a zombie: one of the
// Children, not of the LiveChildren, not Alive, without a command line.
func TestZombie(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	pid := cmd.Process.Pid
	for deadline := time.Now().Add(5 * time.Second); Alive(pid) && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
	}
	if Alive(pid) {
		t.Fatalf("true (pid %d) still running", pid)
	}
	if !slices.Contains(Children(os.Getpid()), pid) || slices.Contains(LiveChildren(os.Getpid()), pid) {
		t.Errorf("zombie %d: Children %v, LiveChildren %v", pid, Children(os.Getpid()), LiveChildren(os.Getpid()))
	}
	if PPid(pid) != os.Getpid() || Cmdline(pid) != nil {
		t.Errorf("zombie %d: parent %d, command line %q", pid, PPid(pid), Cmdline(pid))
	}
	cmd.Wait()
	if PPid(pid) != -1 {
		t.Errorf("reaped %d: parent %d, want -1", pid, PPid(pid))
	}
}
