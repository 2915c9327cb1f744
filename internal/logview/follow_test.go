package logview

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/tai64"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// The last lines across rotations, from a real multilog that rotates.
func TestLastLinesMultilog(t *testing.T) {
	l := startLogger(t, "s4096", "n5")
	for i := 0; i < 5; i++ {
		l.send(t, numbered(i*60, i*60+60, 50)...)
	}
	l.settle(t)
	if len(l.archives()) != 4 {
		t.Fatalf("archives %q, want 4 (n5)", l.archives())
	}
	kept := texts(t, run("-n", "100000", l.svc).stdout)
	if want := l.lines(t); len(kept) != want || want < 100 {
		t.Fatalf("%d lines, want the %d of the archives and current", len(kept), want)
	}
	equal(t, "every line kept", kept, l.sent[len(l.sent)-len(kept):])
	for _, n := range []int{0, 1, 10, 70, len(kept) - 1, len(kept)} {
		equal(t, "-n "+strconv.Itoa(n), texts(t, run("-n", strconv.Itoa(n), l.svc).stdout), l.sent[len(l.sent)-n:])
		lines, err := Tail(l.dir, n)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, line := range lines {
			got = append(got, line.Text)
			if !line.Stamped || time.Since(line.Time) > time.Minute || time.Since(line.Time) < 0 {
				t.Fatalf("Tail: %+v", line)
			}
		}
		equal(t, "Tail "+strconv.Itoa(n), got, l.sent[len(l.sent)-n:])
	}
	equal(t, "default", texts(t, run(l.svc).stdout), l.sent[len(l.sent)-10:])
}

// A line longer than multilog's file size, cut across three files.
func TestLineAcrossFiles(t *testing.T) {
	l := startLogger(t, "s4096", "n10")
	long := "long " + strings.Repeat("0123456789", 1000)
	l.send(t, "before", long, "after")
	l.settle(t)
	if len(l.archives()) < 2 {
		t.Fatalf("archives %q: the line was not cut", l.archives())
	}
	equal(t, "-n 2", texts(t, run("-n", "2", l.svc).stdout), []string{long, "after"})
}

// -f prints what multilog logs, across one rotation at a time, and ends
// quietly when its output's reader goes away.
func TestFollow(t *testing.T) {
	l := startLogger(t, "s4096", "n5")
	l.send(t, numbered(0, 20, 50)...)
	l.settle(t)
	f := startFollow(t, "-f", "-n", "5", l.svc)
	equal(t, "the last 5", f.wait(t, 5), l.sent[15:])
	seen := map[string]bool{}
	for i := 1; i <= 8; i++ {
		l.send(t, numbered(i*100, i*100+40, 50)...) // about 3 KiB: a rotation every other batch
		l.settle(t)
		for _, a := range l.archives() {
			seen[a] = true
		}
		equal(t, "batch "+strconv.Itoa(i), f.wait(t, 5+i*40), l.sent[15:])
	}
	if len(seen) < 4 {
		t.Fatalf("only %d rotations", len(seen))
	}
	res := f.stop(t)
	if res.code != 111 || res.stderr != "" {
		t.Fatalf("when its output closed: exit %d, stderr %q", res.code, res.stderr)
	}
	equal(t, "at the end", texts(t, f.out.String()), l.sent[15:])
}

// -f keeps up with a burst of rotations, reading the archives it fell
// behind on.
func TestFollowBurst(t *testing.T) {
	l := startLogger(t, "s4096", "n200")
	l.send(t, "ready")
	l.settle(t)
	f := startFollow(t, "-f", "-n", "1", l.svc)
	f.wait(t, 1)
	for i := 0; i < 2; i++ {
		l.send(t, numbered(i*1000, i*1000+1000, 100)...) // 124 KiB: 60 rotations
	}
	l.settle(t)
	if n := len(l.archives()); n < 100 || n >= 199 {
		t.Fatalf("%d archives", n)
	}
	equal(t, "every line", f.wait(t, len(l.sent)), l.sent)
	f.stop(t)
	equal(t, "at the end", texts(t, f.out.String()), l.sent)
}

// -f on a log directory that multilog has not started in yet.
func TestFollowBeforeMultilog(t *testing.T) {
	svc := t.TempDir()
	if err := os.MkdirAll(filepath.Join(svc, "log", "main"), 0o755); err != nil {
		t.Fatal(err)
	}
	f := startFollow(t, "-f", "-n", "1000", svc) // whether it starts before multilog logs or after
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	testutil.Start(t, testutil.Options{Dir: filepath.Join(svc, "log"), StdinF: r}, testutil.Bin(t, "multilog"),
		"t", "s4096", "./main")
	r.Close()
	lines := numbered(0, 100, 80)
	w.WriteString(join(lines)) //nolint:errcheck
	equal(t, "every line", f.wait(t, len(lines)), lines)
}

// -f prints a line being written once it is whole; -n counts only whole
// lines.
func TestFollowPartialLine(t *testing.T) {
	t.Setenv("TZ", "UTC")
	dir := t.TempDir()
	cur := filepath.Join(dir, "current")
	at := label(time.Date(2026, 12, 7, 20, 41, 18, 123456000, time.UTC))
	const ts = "2026-12-07 20:41:18.123456 +0000 "
	appendFile(t, cur, at+" first\n"+at+" second\n"+at+" third, being")
	f := startFollow(t, "-f", "-n", "1", "--logdir", dir)
	f.wait(t, 1)
	// The line being written was read with the one before: it is held.
	if got, want := f.out.String(), ts+"second\n"; got != want {
		t.Fatalf("output %q, want %q", got, want)
	}
	appendFile(t, cur, " written\n"+at+" fourth\n"+at+" fifth, being")
	f.wait(t, 3)
	if got, want := f.out.String(), ts+"second\n"+ts+"third, being written\n"+ts+"fourth\n"; got != want {
		t.Fatalf("output %q, want %q", got, want)
	}
	appendFile(t, cur, " written\n")
	f.wait(t, 4)
	f.stop(t)
	if got, want := f.out.String(), ts+"second\n"+ts+"third, being written\n"+ts+"fourth\n"+
		ts+"fifth, being written\n"; got != want {
		t.Fatalf("output %q, want %q", got, want)
	}
}

func appendFile(t *testing.T, name, s string) {
	t.Helper()
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// -f ends with a message when the log directory is removed.
func TestFollowRemoved(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "main")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	appendFile(t, filepath.Join(dir, "current"), "a line\n")
	f := startFollow(t, "-f", "--logdir", dir)
	testutil.Eventually(t, 10*time.Second, "svctl log -f to print the line", func() (bool, string) {
		return f.out.String() == "a line\n", f.out.String()
	})
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	select {
	case res := <-f.done:
		f.done <- res // for stop
		if want := "svctl: fatal: unable to follow " + dir + ": directory removed\n"; res.code != 111 || res.stderr != want {
			t.Fatalf("exit %d, stderr %q, want %q", res.code, res.stderr, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("svctl log -f goes on in a removed directory")
	}
}

// A 10 MB line passes whole, with and without -f; Tail keeps MaxLine of it.
func TestLongLine(t *testing.T) {
	l := startLogger(t, "s16777215")
	l.send(t, "ready")
	l.settle(t)
	f := startFollow(t, "-f", "-n", "1", l.svc)
	f.wait(t, 1)
	long := "long " + strings.Repeat("0123456789", 1000000)
	l.send(t, long, "short")
	l.settle(t)
	equal(t, "-n 2", texts(t, run("-n", "2", l.svc).stdout), []string{long, "short"})
	equal(t, "-f", f.wait(t, 3), []string{"ready", long, "short"})
	lines, err := Tail(l.dir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || !lines[0].Stamped || lines[0].Text != long[:MaxLine-tai64.TextSize-1] ||
		lines[1].Text != "short" {
		t.Fatalf("Tail: %d lines, the first %d bytes", len(lines), len(lines[0].Text))
	}
}

// The follower across hand-made rotations, each step of multilog's at a
// time, with rotations it falls behind on.
func TestFollowerRotations(t *testing.T) {
	t.Setenv("TZ", "UTC")
	dir := t.TempDir()
	path := func(name string) string { return filepath.Join(dir, name) }
	var out bytes.Buffer
	var want []string
	line := func(s string) string { want = append(want, s); return s + "\n" }
	archive := 0
	archiveName := func(code string) string {
		archive++
		return tai64.FromUnix(1700000000+int64(archive), 0).String() + "." + code
	}
	// rotate does what multilog does: current → previous, a new current,
	// previous linked to an archive and removed.
	rotate := func() {
		name := archiveName("s")
		for _, err := range []error{os.Rename(path("current"), path("previous")),
			os.WriteFile(path("current"), nil, 0o644), os.Link(path("previous"), path(name)),
			os.Remove(path("previous"))} {
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	appendFile(t, path("current"), "old\n")
	d, err := openDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.close()
	p := newPrinter(&out, localClock(), true)
	f, err := d.watch(p, &out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.close()
	f.s, err = d.open("current")
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string) {
		t.Helper()
		if err := f.catchUp(); err != nil {
			t.Fatal(err)
		}
		if err := p.flush(); err != nil {
			t.Fatal(err)
		}
		equal(t, what, strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n"), want)
	}
	line("old")
	check("current")
	appendFile(t, path("current"), line("a"))
	rotate()
	appendFile(t, path("current"), line("b"))
	check("one rotation")
	for i := 0; i < 3; i++ {
		appendFile(t, path("current"), line("c"+strconv.Itoa(i)))
		rotate()
	}
	appendFile(t, path("current"), line("d"))
	check("three rotations behind")

	// Half a rotation: current renamed, no new current yet.
	appendFile(t, path("current"), line("e"))
	if err := os.Rename(path("current"), path("previous")); err != nil {
		t.Fatal(err)
	}
	check("current renamed to previous")
	os.WriteFile(path("current"), []byte(line("f")), 0o644) //nolint:errcheck
	check("a new current")
	name := archiveName("s")
	os.Link(path("previous"), path(name)) //nolint:errcheck
	check("previous linked to " + name)
	os.Remove(path("previous")) //nolint:errcheck
	appendFile(t, path("current"), line("g"))
	check("previous removed")

	// A multilog that died in the middle of a line: its current becomes
	// an unsafe archive, whose last line ends there.
	appendFile(t, path("current"), line("h")+"cut sho")
	check("a line being written")
	name = archiveName("u")
	os.Link(path("current"), path(name)) //nolint:errcheck
	os.Remove(path("current"))           //nolint:errcheck
	line("cut sho")
	os.WriteFile(path("current"), []byte(line("after the crash")), 0o644) //nolint:errcheck
	check("after the crash")

	// An archive removed before it was read is skipped.
	appendFile(t, path("current"), line("i"))
	rotate()
	appendFile(t, path("current"), "lost\n")
	rotate()
	rotate()
	appendFile(t, path("current"), line("j"))
	names, _ := filepath.Glob(path("@*"))
	os.Remove(names[len(names)-2]) //nolint:errcheck
	check("a removed archive")
}
