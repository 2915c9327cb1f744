package status

import (
	"bytes"
	"testing"

	"github.com/daemontools-go/daemontools/internal/tai64"
)

// The record observed from Debian's supervise (spec §2.5).
var observed = []byte{0x40, 0, 0, 0, 0x6b, 0x04, 0xda, 0xd2, 0x18, 0x6d, 0x03, 0x7c, 0xf4, 0x25, 0, 0, 0, 0x75}

func TestDecodeObserved(t *testing.T) {
	s, err := Decode(observed)
	if err != nil {
		t.Fatal(err)
	}
	if s.Pid != 9716 || s.Paused || s.Want != WantUp || s.When.Sec != 0x400000006b04dad2 {
		t.Errorf("Decode = %+v", s)
	}
	if b := s.Encode(); !bytes.Equal(b[:], observed) {
		t.Errorf("Encode = % x", b)
	}
}

func TestDecodeShortAndLong(t *testing.T) {
	if _, err := Decode(observed[:17]); err != ErrBadFormat {
		t.Errorf("short: err = %v", err)
	}
	if _, err := Decode(append(append([]byte{}, observed...), 1, 2)); err != nil {
		t.Errorf("long: err = %v", err)
	}
}

func TestLines(t *testing.T) {
	const now = 1_000_000
	at := func(ago int64) tai64.N { return tai64.FromUnix(now-ago, 0) }
	for _, c := range []struct {
		s          Status
		normallyUp bool
		want       string
	}{
		{Status{When: at(6), Pid: 9716, Paused: true, Want: WantUp}, true, "up (pid 9716) 6 seconds, paused"},
		{Status{When: at(2), Pid: 9923, Want: WantDown}, false, "up (pid 9923) 2 seconds, normally down, want down"},
		{Status{When: at(0), Want: WantDown}, true, "down 0 seconds, normally up"},
		{Status{When: at(5), Want: WantUp}, true, "down 5 seconds, normally up, want up"},
		{Status{When: at(1), Pid: 4294967295, Paused: true, Want: WantDown}, false, "up (pid 4294967295) 1 seconds, normally down, paused, want down"},
		{Status{When: at(372), Want: WantDown}, true, "down 372 seconds, normally up"},
		{Status{When: at(3), Pid: 10804, Want: WantUp}, true, "up (pid 10804) 3 seconds"},
		{Status{When: at(9), Want: WantOnce}, false, "down 9 seconds"},
		{Status{When: at(-50), Pid: 7, Want: WantUp}, true, "up (pid 7) 0 seconds"},
		// paused byte is ignored while down; want down is silent while down.
		{Status{When: at(4), Paused: true, Want: WantDown}, false, "down 4 seconds"},
	} {
		if got := string(c.s.AppendLine(nil, now, c.normallyUp)); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.s, got, c.want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(observed)
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(b)
		if err != nil {
			if len(b) >= Size {
				t.Fatalf("rejected %d bytes", len(b))
			}
			return
		}
		enc := s.Encode()
		if s.Paused == (b[16] != 0) && b[16] <= 1 && !bytes.Equal(enc[:], b[:Size]) {
			t.Fatalf("round trip: % x -> % x", b[:Size], enc)
		}
		_ = s.AppendLine(nil, 0, true)
	})
}

func BenchmarkEncode(b *testing.B) {
	s := Status{When: tai64.Now(), Pid: 1234, Want: WantUp}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = s.Encode()
	}
}
