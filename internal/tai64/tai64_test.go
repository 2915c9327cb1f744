package tai64

import (
	"bytes"
	"testing"
	"time"
)

func TestKnownLabels(t *testing.T) {
	// From the spec: @4000000037c219bf2ef02e94 is 1999-08-24 04:04:05.787492500 UTC.
	n, ok := Parse([]byte("@4000000037c219bf2ef02e94"))
	if !ok {
		t.Fatal("Parse failed")
	}
	want := time.Date(1999, 8, 24, 4, 4, 5, 787492500, time.UTC)
	if !n.Time().Equal(want) {
		t.Errorf("time = %v, want %v", n.Time().UTC(), want)
	}
	if n.String() != "@4000000037c219bf2ef02e94" {
		t.Errorf("String = %s", n)
	}
	epoch, _ := Parse([]byte("@400000000000000000000000"))
	if got := epoch.Unix(); got != -10 {
		t.Errorf("epoch label = %d unix seconds, want -10", got)
	}
}

func TestFromTimeQuirk(t *testing.T) {
	tm := time.Unix(1000, 123456789)
	n := FromTime(tm)
	if n.Sec != 1000+1<<62+10 {
		t.Errorf("Sec = %#x", n.Sec)
	}
	if n.Nano != 123456500 {
		t.Errorf("Nano = %d, want 123456500 (usec*1000+500)", n.Nano)
	}
	if FromUnix(1000, 123456789).Nano != 123456789 {
		t.Error("FromUnix changed nanoseconds")
	}
}

func TestPackRoundTrip(t *testing.T) {
	n := N{Sec: 0x400000006b04dad2, Nano: 0x186d037c}
	var b [Size]byte
	n.Pack(b[:])
	want := []byte{0x40, 0, 0, 0, 0x6b, 0x04, 0xda, 0xd2, 0x18, 0x6d, 0x03, 0x7c}
	if !bytes.Equal(b[:], want) {
		t.Errorf("Pack = % x", b)
	}
	if Unpack(b[:]) != n {
		t.Error("Unpack(Pack(n)) != n")
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"", "@", "4000000037c219bf2ef02e94x", "@4000000037c219bf2ef02e9", "@4000000037c219bf2ef02e9g", "@4000000037c219bf2ef02e945"} {
		if _, ok := Parse([]byte(s)); ok {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("@4000000037c219bf2ef02e94"))
	f.Add([]byte("@400000000000000000000000"))
	f.Add([]byte("@FFFFFFFFFFFFFFFFFFFFFFFF"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, s []byte) {
		n, ok := Parse(s)
		if !ok {
			return
		}
		// A parsed label formats back to the same text, case aside.
		if got := n.String(); !bytes.EqualFold([]byte(got), s) {
			t.Fatalf("Parse(%q).String() = %q", s, got)
		}
		var b [Size]byte
		n.Pack(b[:])
		if Unpack(b[:]) != n {
			t.Fatalf("pack round trip failed for %q", s)
		}
	})
}

func BenchmarkFormat(b *testing.B) {
	n := Now()
	var buf [TextSize]byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		n.Format(buf[:])
	}
}

func TestAdd(t *testing.T) {
	n := FromUnix(100, 900_000_000)
	for _, c := range []struct {
		d    time.Duration
		sec  int64
		nano uint32
	}{
		{0, 100, 900_000_000}, {200 * time.Millisecond, 101, 100_000_000}, {-time.Second, 99, 900_000_000},
		{-950 * time.Millisecond, 99, 950_000_000}, {90 * time.Second, 190, 900_000_000},
	} {
		got := n.Add(c.d)
		if got.Unix() != c.sec || got.Nano != c.nano {
			t.Errorf("%v: %d.%09d, want %d.%09d", c.d, got.Unix(), got.Nano, c.sec, c.nano)
		}
	}
}
