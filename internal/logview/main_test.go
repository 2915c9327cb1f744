package logview

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// writeLog makes a log directory from files, name → content.
func writeLog(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTimes(t *testing.T) {
	winter := time.Date(2026, 12, 7, 20, 41, 18, 123456000, time.UTC)
	summer := time.Date(2026, 7, 1, 12, 0, 0, 999999000, time.UTC)
	dir := writeLog(t, map[string]string{"current": label(winter) + " winter\n" + label(summer) + " summer\n" +
		"plain line\n" +
		"@4000000069d5ea1b075bcd6 short label\n" +
		"@4000000069d5ea1b075bcd64x no space after the label\n" +
		label(winter) + "\n" + // a label without its space: not multilog's
		label(winter) + " \n" + // an empty line, as multilog t writes it
		"@4000000069D5EA1B075BCD64 upper case\n" +
		"@0000000000000000075bcd64 beyond 10^17 seconds\n"})
	for _, tc := range []struct{ tz, winter, summer, upper string }{
		{"UTC", "2026-12-07 20:41:18.123456 +0000", "2026-07-01 12:00:00.999999 +0000", "2026-04-08 05:39:29.123456 +0000"},
		{"", "2026-12-07 20:41:18.123456 +0000", "2026-07-01 12:00:00.999999 +0000", "2026-04-08 05:39:29.123456 +0000"},
		{"Asia/Kolkata", "2026-12-08 02:11:18.123456 +0530", "2026-07-01 17:30:00.999999 +0530", "2026-04-08 11:09:29.123456 +0530"},
		{"America/New_York", "2026-12-07 15:41:18.123456 -0500", "2026-07-01 08:00:00.999999 -0400", "2026-04-08 01:39:29.123456 -0400"},
		// A POSIX rule, which Go's time package does not read from TZ.
		{"EST5EDT,M3.2.0,M11.1.0", "2026-12-07 15:41:18.123456 -0500", "2026-07-01 08:00:00.999999 -0400", "2026-04-08 01:39:29.123456 -0400"},
		{"JST-9", "2026-12-08 05:41:18.123456 +0900", "2026-07-01 21:00:00.999999 +0900", "2026-04-08 14:39:29.123456 +0900"},
	} {
		t.Run(tc.tz, func(t *testing.T) {
			t.Setenv("TZ", tc.tz)
			want := tc.winter + " winter\n" + tc.summer + " summer\n" +
				"plain line\n" +
				"@4000000069d5ea1b075bcd6 short label\n" +
				"@4000000069d5ea1b075bcd64x no space after the label\n" +
				label(winter) + "\n" +
				tc.winter + " \n" +
				tc.upper + " upper case\n" +
				"@0000000000000000075bcd64 beyond 10^17 seconds\n"
			res := run("-n", "100", "--logdir", dir)
			if res.code != 0 || res.stderr != "" || res.stdout != want {
				t.Fatalf("exit %d, stderr %q, output\n%s\nwant\n%s", res.code, res.stderr, res.stdout, want)
			}
			lines, err := Tail(dir, 100)
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			for _, l := range lines {
				got.WriteString(l.String() + "\n")
			}
			if got.String() != want {
				t.Fatalf("Tail gives\n%s\nwant\n%s", got.String(), want)
			}
			if l := lines[0]; !l.Stamped || l.Text != "winter" || !l.Time.Equal(winter.Add(500)) ||
				l.Time.Format("-0700") != tc.winter[len(tc.winter)-5:] {
				t.Errorf("Tail's first line is %+v", l)
			}
			if l := lines[2]; l.Stamped || l.Text != "plain line" || !l.Time.IsZero() {
				t.Errorf("Tail's third line is %+v", l)
			}
			if l := lines[6]; !l.Stamped || l.Text != "" {
				t.Errorf("Tail's empty line is %+v", l)
			}
		})
	}
}

func TestLastLines(t *testing.T) {
	t.Setenv("TZ", "UTC")
	ts := func(i int) string { return label(time.Unix(1700000000+int64(i), 0)) + " " }
	files := map[string]string{
		"@400000006553f1000000000a.s": ts(1) + "one\n" + ts(2) + "two\n" + ts(3) + "three, cut at the size limit",
		"@400000006553f1010000000a.s": ", goes on\n" + ts(4) + "four\n",
		"@400000006553f1020000000a.u": ts(5) + "five, from a multilog that died", // no newline
		"@400000006553f1030000000a.u": ts(6) + "six\n",
		"previous":                    ts(7) + "seven\n",
		"current":                     ts(8) + "eight\n" + ts(9) + "nine, being written",
		"lock":                        "",
		"state":                       "",
		"@400000006553f1000000000a.x": "not an archive\n",
	}
	dir := writeLog(t, files)
	all := []string{"one", "two", "three, cut at the size limit, goes on", "four", "five, from a multilog that died",
		"six", "seven", "eight", "nine, being written"}
	for n := 0; n <= len(all)+2; n++ {
		want := all[max(0, len(all)-n):]
		res := run("-n", strconv.Itoa(n), "--logdir", dir)
		if res.code != 0 || res.stderr != "" {
			t.Fatalf("-n %d: exit %d, %s", n, res.code, res.stderr)
		}
		// The last line, without a newline, is printed as it is.
		out := res.stdout
		if n > 0 {
			if !strings.HasSuffix(out, "being written") {
				t.Fatalf("-n %d: %q", n, out)
			}
			out += "\n"
		}
		equal(t, "-n "+strconv.Itoa(n), texts(t, out), want)
		lines, err := Tail(dir, n)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range lines {
			if !l.Stamped {
				t.Fatalf("Tail -n %d: %+v has no time", n, l)
			}
			got = append(got, l.Text)
		}
		equal(t, "Tail "+strconv.Itoa(n), got, want)
	}
	res := run("--logdir", dir) // 10 by default
	if got := texts(t, res.stdout+"\n"); len(got) != len(all) {
		t.Errorf("without -n: %q", got)
	}
}

func TestEmptyLog(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"no files":      {},
		"empty current": {"current": ""},
		"only archives": {"@400000006553f1000000000a.s": label(time.Unix(1, 0)) + " old\n"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeLog(t, files)
			want := ""
			if name == "only archives" {
				want = "1970-01-01 00:00:01.000000 +0000 old\n"
			}
			t.Setenv("TZ", "UTC")
			res := run("--logdir", dir)
			if res.code != 0 || res.stdout != want || res.stderr != "" {
				t.Fatalf("exit %d, output %q, stderr %q", res.code, res.stdout, res.stderr)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "svc")
	res := run(missing)
	if want := "svctl: fatal: unable to open " + missing + "/log/main: file does not exist\n"; res.code != 111 ||
		res.stderr != want || res.stdout != "" {
		t.Errorf("missing directory: exit %d, stderr %q, want %q", res.code, res.stderr, want)
	}
	res = run("-f", "--logdir", missing)
	if want := "svctl: fatal: unable to open " + missing + ": file does not exist\n"; res.code != 111 || res.stderr != want {
		t.Errorf("-f, missing directory: exit %d, stderr %q, want %q", res.code, res.stderr, want)
	}
	if os.Geteuid() != 0 { // root reads anything
		logdir := writeLog(t, map[string]string{"current": "secret\n"})
		os.Chmod(filepath.Join(logdir, "current"), 0) //nolint:errcheck
		res = run("--logdir", logdir)
		if want := "svctl: fatal: unable to open " + logdir + "/current: access denied\n"; res.code != 111 || res.stderr != want {
			t.Errorf("unreadable current: exit %d, stderr %q, want %q", res.code, res.stderr, want)
		}
	}
	if _, err := Tail(missing, 20); !os.IsNotExist(err) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Tail of a missing directory: %v", err)
	}
}

func TestUsage(t *testing.T) {
	const usage = "svctl: usage: svctl log [-f] [-n N] [--logdir PATH] DIR\n"
	for _, tc := range []struct {
		args  []string
		cause string
	}{
		{nil, "missing service directory"},
		{[]string{"a", "b"}, "one service directory at a time, not 2"},
		{[]string{"-z", "a"}, "unknown option -z"},
		{[]string{"-fz", "a"}, "unknown option -z"},
		{[]string{"--follow", "a"}, "unknown option --follow"},
		{[]string{"-n", "x", "a"}, `-n: not a number of lines: "x"`},
		{[]string{"-n-1", "a"}, `-n: not a number of lines: "-1"`},
		{[]string{"a", "-n"}, "option -n requires N"},
		{[]string{"a", "--logdir"}, "option --logdir requires PATH"},
		{[]string{"--logdir=", "a"}, "empty log directory"},
	} {
		res := run(tc.args...)
		if want := "svctl: log: " + tc.cause + "\n" + usage; res.code != 100 || res.stderr != want || res.stdout != "" {
			t.Errorf("%q: exit %d, stderr %q, want %q", tc.args, res.code, res.stderr, want)
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"-fh", "a", "b"}} {
		res := run(args...)
		if res.code != 0 || res.stderr != "" || !strings.HasPrefix(res.stdout, "usage: svctl log [-f] [-n N] [--logdir PATH] DIR\n\n") ||
			!strings.Contains(res.stdout, "--logdir PATH") {
			t.Errorf("%q: exit %d, stderr %q, output %q", args, res.code, res.stderr, res.stdout)
		}
	}
	// Options anywhere, clustered, attached, and "--".
	dir := t.TempDir()
	logdir := filepath.Join(dir, "-svc", "log", "main")
	if err := os.MkdirAll(logdir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TZ", "UTC")
	os.WriteFile(filepath.Join(logdir, "current"), []byte("a\nb\nc\n"), 0o644) //nolint:errcheck
	for _, args := range [][]string{{"-n2", "--logdir", logdir}, {"--logdir=" + logdir, "-n", "2"},
		{"-n", "2", "--", dir + "/-svc/"}, {dir + "/-svc", "-n", "2"}} {
		if res := run(args...); res.code != 0 || res.stdout != "b\nc\n" {
			t.Errorf("%q: exit %d, output %q, stderr %q", args, res.code, res.stdout, res.stderr)
		}
	}
}

// The files of a log are regular files, opened as they are: a symbolic
// link (to a file its owner may not read: svctl serve runs as root) is
// not followed, and a FIFO does not block.
func TestOnlyRegularFiles(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(secret, []byte("SECRET\n"), 0o600) //nolint:errcheck // the test tells
	link := writeLog(t, nil)
	if err := os.Symlink(secret, filepath.Join(link, "current")); err != nil {
		t.Fatal(err)
	}
	if lines, err := Tail(link, 20); err == nil || len(lines) != 0 {
		t.Errorf("current a link: %q %v", lines, err)
	}
	res := run("--logdir", link)
	if want := "svctl: fatal: unable to open " + link + "/current: "; res.code != 111 || !strings.HasPrefix(res.stderr, want) ||
		strings.Contains(res.stdout, "SECRET") {
		t.Errorf("current a link: %+v", res)
	}
	fifo := writeLog(t, nil)
	if err := unix.Mkfifo(filepath.Join(fifo, "current"), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := Tail(fifo, 20)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("current a FIFO: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Tail blocks on a FIFO")
	}
}
