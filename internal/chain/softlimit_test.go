package chain_test

import (
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

const softlimitUsage = "softlimit: usage: softlimit [-a allbytes] [-c corebytes] [-d databytes] [-f filebytes] [-l lockbytes] [-m membytes] [-o openfiles] [-p processes] [-r residentbytes] [-s stackbytes] [-t cpusecs] child\n"

func TestSoftlimitUsage(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{nil, softlimitUsage},
		{[]string{"-m", "1000"}, softlimitUsage},
		{[]string{"--"}, softlimitUsage},
		{[]string{"-z", "true"}, "softlimit: illegal option -- z\n" + softlimitUsage},
		{[]string{"-m"}, "softlimit: option requires an argument -- m\n" + softlimitUsage},
		{[]string{"-c", "0", "-t"}, "softlimit: option requires an argument -- t\n" + softlimitUsage},
		{[]string{"-m", "abc", "-z", "true"}, softlimitUsage}, // the bad value comes first
		{[]string{"-z", "-m", "abc", "true"}, "softlimit: illegal option -- z\n" + softlimitUsage},
		{[]string{"-o", "+5", "true"}, softlimitUsage},
		{[]string{"-o", "5x", "true"}, softlimitUsage},
		{[]string{"-o", "-", "true"}, softlimitUsage},
		{[]string{"-o", " 5", "true"}, softlimitUsage},
		{[]string{"-o", "==", "true"}, softlimitUsage},
		{[]string{"-c1", "-o", "x", "-c2", "true"}, softlimitUsage},
	} {
		expect(t, testutil.Options{}, "", c.stderr, 100, "softlimit", c.args...)
		same(t, testutil.Options{}, "softlimit", c.args...)
	}
}

// 0.76 wraps a value past 2^64-1 around (18446744073709551616 becomes 0);
// we refuse it with the usage line.
func TestSoftlimitOverflow(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"18446744073709551616", "18446744073709551617", "99999999999999999999999"} {
		expect(t, testutil.Options{}, "", softlimitUsage, 100, "softlimit", "-o", v, "true")
	}
	expect(t, testutil.Options{}, "ok\n", "", 0, "softlimit", "-c", "18446744073709551615", "echo", "ok")
}

// The softlimit part of upstream rts.tests (§22.1).
func TestSoftlimitRTS(t *testing.T) {
	t.Parallel()
	expect(t, testutil.Options{}, "", "softlimit: fatal: unable to run ./nonexistent: file does not exist\n", 111, "softlimit", "./nonexistent")
	same(t, testutil.Options{}, "softlimit", "./nonexistent")
	expect(t, testutil.Options{}, "./nonexistent\n", "", 0, "softlimit", "-p0", "echo", "./nonexistent")
	same(t, testutil.Options{}, "softlimit", "-p0", "echo", "./nonexistent")
	same(t, testutil.Options{}, "softlimit", "--", "echo", "ok")
	same(t, testutil.Options{}, "softlimit", "-", "echo", "ok")
}

// limitsLine returns the line of /proc/self/limits text for a resource,
// with runs of spaces squeezed.
func limitsLine(limits, resource string) string {
	for _, l := range strings.Split(limits, "\n") {
		if strings.HasPrefix(l, resource) {
			return strings.Join(strings.Fields(l), " ")
		}
	}
	return ""
}

// What the child sees in /proc/self/limits: every option, "=", order, clamping.
func TestSoftlimitChildLimits(t *testing.T) {
	t.Parallel()
	args := []string{"-a", "300000000", "-c", "0", "-d", "200000000", "-f", "1000000", "-l", "4096",
		"-o", "100", "-p", "500", "-r", "12345", "-s", "5000000", "-t", "50", "cat", "/proc/self/limits"}
	r := testutil.Run(t, testutil.Options{}, testutil.Bin(t, "softlimit"), args...)
	if r.Code != 0 || r.Stderr != "" {
		t.Fatalf("softlimit: %+v", r)
	}
	for res, want := range map[string]string{
		"Max address space": "300000000", "Max core file size": "0", "Max data size": "200000000",
		"Max file size": "1000000", "Max locked memory": "4096", "Max open files": "100",
		"Max processes": "500", "Max resident set": "12345", "Max stack size": "5000000", "Max cpu time": "50",
	} {
		if f := strings.Fields(strings.TrimPrefix(limitsLine(r.Stdout, res), res)); len(f) == 0 || f[0] != want {
			t.Errorf("%s: %q, want soft %s", res, limitsLine(r.Stdout, res), want)
		}
	}
	same(t, testutil.Options{}, "softlimit", args...)

	// -m sets data, stack, locked memory and address space; a later option wins.
	args = []string{"-m", "100000000", "-s", "7000000", "cat", "/proc/self/limits"}
	r = testutil.Run(t, testutil.Options{}, testutil.Bin(t, "softlimit"), args...)
	for res, want := range map[string]string{"Max data size": "100000000", "Max stack size": "7000000", "Max address space": "100000000"} {
		if f := strings.Fields(strings.TrimPrefix(limitsLine(r.Stdout, res), res)); len(f) == 0 || f[0] != want {
			t.Errorf("-m then -s: %s: %q, want soft %s", res, limitsLine(r.Stdout, res), want)
		}
	}
	same(t, testutil.Options{}, "softlimit", args...)

	// "=" restores the hard limit; a value above the hard limit is lowered
	// to it; an empty value is 0.
	args = []string{"-o", "10", "-o", "=", "-l", "999999999999", "-c", "", "cat", "/proc/self/limits"}
	r = testutil.Run(t, testutil.Options{}, testutil.Bin(t, "softlimit"), args...)
	if f := strings.Fields(strings.TrimPrefix(limitsLine(r.Stdout, "Max core file size"), "Max core file size")); len(f) == 0 || f[0] != "0" {
		t.Errorf("-c '': %q, want soft 0", limitsLine(r.Stdout, "Max core file size"))
	}
	for _, res := range []string{"Max open files", "Max locked memory"} {
		f := strings.Fields(strings.TrimPrefix(limitsLine(r.Stdout, res), res))
		if len(f) < 2 || f[0] != f[1] && !(f[1] == "unlimited" && f[0] == "999999999999") {
			t.Errorf("%q: %s: %q, want soft = hard", args, res, limitsLine(r.Stdout, res))
		}
	}
	same(t, testutil.Options{}, "softlimit", args...)
}

// With address-space and data limits far below what a Go process has
// mapped, softlimit still execs (it allocates nothing after applying them)
// or reports the exec failure, exactly like 0.76; no Go runtime crash.
func TestSoftlimitTinyMemory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o := testutil.Options{Dir: dir, Env: []string{"PATH=" + dir + "/a:" + dir + "/b:/nonexistent"}}
	for _, args := range [][]string{
		{"-a", "1", "-d", "1", "./nonexistent"},
		{"-m", "0", "nonexistent"},
		{"-m", "4096", "-s", "0", "-o", "0", "./nonexistent"},
	} {
		expect(t, o, "", "softlimit: fatal: unable to run "+args[len(args)-1]+": file does not exist\n", 111, "softlimit", args...)
		same(t, o, "softlimit", args...)
	}
	// The child itself cannot live in so little memory; what happens to it
	// must be what happens to 0.76's.
	for _, args := range [][]string{{"-m", "1000000", "/bin/true"}, {"-a", "3000", "/bin/true"}, {"-m", "20000000", "/bin/echo", "fits"}} {
		r := same(t, o, "softlimit", args...)
		if strings.Contains(r.Stderr, "runtime") {
			t.Errorf("%q: Go runtime failure: %s", args, r.Stderr)
		}
	}
}

func TestSoftlimitExecFailures(t *testing.T) {
	t.Parallel()
	execFailures(t, "softlimit", nil, "-c", "0")
}
