package limits

import (
	"reflect"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/getopt"
)

func TestParseValue(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"0", 0, true},
		{"", 0, true}, // 0.76: an empty value counts as 0
		{"1000", 1000, true},
		{"007", 7, true},
		{"18446744073709551615", 1<<64 - 1, true},
		{"18446744073709551616", 0, false}, // 0.76 wraps to 0; we refuse
		{"18446744073709551620", 0, false},
		{"99999999999999999999999", 0, false},
		{"+5", 0, false},
		{"-5", 0, false},
		{"5x", 0, false},
		{" 5", 0, false},
		{"5 ", 0, false},
		{"=5", 0, false},
		{"==", 0, false},
		{"-", 0, false},
		{"1e3", 0, false},
		{"0x10", 0, false},
		{"/", 0, false}, // '0'-1
		{":", 0, false}, // '9'+1
	} {
		v, err := ParseValue(c.in)
		if (err == nil) != c.ok || v != c.want {
			t.Errorf("ParseValue(%q) = %d, %v; want %d, ok=%v", c.in, v, err, c.want, c.ok)
		}
	}
}

func TestParseTable(t *testing.T) {
	set := func(res int, v uint64) Setting { return Setting{Resource: res, Value: v} }
	hard := func(res int) Setting { return Setting{Resource: res, ToHard: true} }
	for _, c := range []struct {
		args string
		want []Setting
	}{
		{"a", []Setting{set(unix.RLIMIT_AS, 7)}},
		{"c", []Setting{set(unix.RLIMIT_CORE, 7)}},
		{"d", []Setting{set(unix.RLIMIT_DATA, 7)}},
		{"f", []Setting{set(unix.RLIMIT_FSIZE, 7)}},
		{"l", []Setting{set(unix.RLIMIT_MEMLOCK, 7)}},
		{"m", []Setting{set(unix.RLIMIT_DATA, 7), set(unix.RLIMIT_STACK, 7), set(unix.RLIMIT_MEMLOCK, 7), set(unix.RLIMIT_AS, 7)}},
		{"o", []Setting{set(unix.RLIMIT_NOFILE, 7)}},
		{"p", []Setting{set(unix.RLIMIT_NPROC, 7)}},
		{"r", []Setting{set(unix.RLIMIT_RSS, 7)}},
		{"s", []Setting{set(unix.RLIMIT_STACK, 7)}},
		{"t", []Setting{set(unix.RLIMIT_CPU, 7)}},
	} {
		got, err := Parse([]getopt.Opt{{Letter: c.args[0], Value: "7"}})
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("-%s 7: %v %v, want %v", c.args, got, err, c.want)
		}
	}
	// Order is kept, "=" means the hard limit, later options follow earlier ones.
	got, err := Parse([]getopt.Opt{{Letter: 'o', Value: "="}, {Letter: 't', Value: ""}, {Letter: 'o', Value: "5"}})
	want := []Setting{hard(unix.RLIMIT_NOFILE), set(unix.RLIMIT_CPU, 0), set(unix.RLIMIT_NOFILE, 5)}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("-o= -t '' -o5: %v %v, want %v", got, err, want)
	}
}

func TestParseRefusesBeforeAnything(t *testing.T) {
	for _, opts := range [][]getopt.Opt{
		{{Letter: 'm', Value: "100"}, {Letter: 'o', Value: "x"}},
		{{Letter: 'o', Value: "x"}, {Letter: 'm', Value: "100"}},
		{{Letter: 'z', Value: "1"}},
		{{Letter: 'c', Value: "18446744073709551616"}},
	} {
		if got, err := Parse(opts); err != ErrValue || got != nil {
			t.Errorf("Parse(%v) = %v, %v; want nil, ErrValue", opts, got, err)
		}
	}
}

func TestSpecMatchesTable(t *testing.T) {
	opts, _, err := getopt.Parse([]string{"-a1", "-c1", "-d1", "-f1", "-l1", "-m1", "-o1", "-p1", "-r1", "-s1", "-t1", "child"}, Spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse(opts); err != nil {
		t.Fatal(err)
	}
	if len(opts) != len(resources) {
		t.Errorf("Spec has %d options, table %d", len(opts), len(resources))
	}
}

// TestApply changes this test process's own core-file soft limit (harmless)
// and puts it back.
func TestApply(t *testing.T) {
	var orig syscall.Rlimit
	if err := syscall.Getrlimit(unix.RLIMIT_CORE, &orig); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(unix.RLIMIT_CORE, &orig) }) //nolint:errcheck
	check := func(settings []Setting, want uint64) {
		t.Helper()
		if op, e := Apply(settings); op != "" {
			t.Fatalf("Apply: %s failed: %v", op, e)
		}
		var r syscall.Rlimit
		syscall.Getrlimit(unix.RLIMIT_CORE, &r) //nolint:errcheck
		if r.Cur != want || r.Max != orig.Max {
			t.Errorf("after %v: %d/%d, want %d/%d", settings, r.Cur, r.Max, want, orig.Max)
		}
	}
	if orig.Max < 4096 {
		t.Skipf("requires a core-file hard limit of at least 4096 (have %d)", orig.Max)
	}
	check([]Setting{{Resource: unix.RLIMIT_CORE, Value: 4096}}, 4096)
	check([]Setting{{Resource: unix.RLIMIT_CORE, Value: 1}, {Resource: unix.RLIMIT_CORE, Value: 2}}, 2)
	check([]Setting{{Resource: unix.RLIMIT_CORE, ToHard: true}}, orig.Max)
	check([]Setting{{Resource: unix.RLIMIT_CORE, Value: 0}}, 0)
	if orig.Max != unix.RLIM_INFINITY {
		// Clamped silently to the hard limit.
		check([]Setting{{Resource: unix.RLIMIT_CORE, Value: orig.Max + 1}}, orig.Max)
	}
	settings := []Setting{{Resource: unix.RLIMIT_CORE, Value: 512}, {Resource: unix.RLIMIT_CORE, ToHard: true}}
	if n := testing.AllocsPerRun(10, func() { Apply(settings) }); n != 0 { //nolint:errcheck
		t.Errorf("Apply allocates %v times", n)
	}
	if op, e := Apply([]Setting{{Resource: 999, Value: 1}}); op != "getrlimit" || e != unix.EINVAL {
		t.Errorf("bad resource: %q %v, want getrlimit EINVAL", op, e)
	}
}
