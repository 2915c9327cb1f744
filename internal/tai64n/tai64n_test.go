package tai64n

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/daemontools-go/daemontools/internal/tai64"
)

// clock returns the given labels in turn, then repeats the last one.
func clock(ns ...tai64.N) func() tai64.N {
	return func() tai64.N {
		n := ns[0]
		if len(ns) > 1 {
			ns = ns[1:]
		}
		return n
	}
}

func TestStamper(t *testing.T) {
	t.Parallel()
	ns := []tai64.N{{Sec: 0x400000006553f100, Nano: 500}, {Sec: 0x400000006553f100, Nano: 0x3b9ac9ff},
		{Sec: 0x400000006553f101, Nano: 0x10}, {Sec: 0x400000006553f101, Nano: 0}}
	s := Stamper{Now: clock(ns...)}
	for _, n := range ns {
		s.Tick()
		if got, want := string(s.Label()), n.String()+" "; got != want {
			t.Errorf("Label() = %q, want %q", got, want)
		}
	}
	var d Stamper // the real clock
	d.Tick()
	if !regexp.MustCompile(`^@4[0-9a-f]{23} $`).Match(d.Label()) {
		t.Errorf("Label() = %q", d.Label())
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	n := tai64.N{Sec: 0x4000000037c219bf, Nano: 0x2ef02e94}
	l := n.String() + " "
	tests := []struct{ in, want string }{
		{"", ""},
		{"one\ntwo\n", l + "one\n" + l + "two\n"},
		{"\n\n", l + "\n" + l + "\n"},
		{"partial", l + "partial"},
		{"a\x00\xff\nb", l + "a\x00\xff\n" + l + "b"},
		{strings.Repeat("x", 300000) + "\ny\n", l + strings.Repeat("x", 300000) + "\n" + l + "y\n"},
		{strings.Repeat("\n", 200000), strings.Repeat(l+"\n", 200000)},
	}
	for _, tc := range tests {
		for _, oneByte := range []bool{false, true} {
			var out bytes.Buffer
			in := iotest.DataErrReader(strings.NewReader(tc.in))
			if oneByte {
				in = iotest.OneByteReader(strings.NewReader(tc.in))
			}
			if err := Filter(in, &out, &Stamper{Now: clock(n)}); err != nil {
				t.Fatal(err)
			}
			if out.String() != tc.want {
				t.Errorf("Filter(%.20q) = %.60q (%d bytes), want %d bytes", tc.in, out.String(), out.Len(), len(tc.want))
			}
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("fail") }

func TestFilterErrors(t *testing.T) {
	t.Parallel()
	if err := Filter(strings.NewReader("x\n"), failWriter{}, &Stamper{}); err == nil {
		t.Error("write error not reported")
	}
	if err := Filter(iotest.ErrReader(errors.New("bad")), &bytes.Buffer{}, &Stamper{}); err == nil {
		t.Error("read error not reported")
	}
	// Lines read before a read error are written.
	var out bytes.Buffer
	r := iotest.TimeoutReader(strings.NewReader("x\n"))
	if err := Filter(r, &out, &Stamper{}); err == nil || !strings.HasSuffix(out.String(), " x\n") {
		t.Errorf("err %v out %q", err, out.String())
	}
}

func BenchmarkTick(b *testing.B) {
	var s Stamper
	b.ReportAllocs()
	for b.Loop() {
		s.Tick()
	}
}

func BenchmarkFormat(b *testing.B) {
	s := Stamper{Now: clock(tai64.N{Sec: 0x4000000037c219bf, Nano: 0x2ef02e94})}
	b.ReportAllocs()
	for b.Loop() {
		s.Tick()
	}
}

func BenchmarkFilter(b *testing.B) {
	line := strings.Repeat("x", 79) + "\n"
	in := []byte(strings.Repeat(line, 100000))
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if err := Filter(bytes.NewReader(in), discard{}, &Stamper{}); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
