package tai64nlocal

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"testing/iotest"
)

func convert(t *testing.T, z *Zone, in string) string {
	t.Helper()
	var whole, bytewise bytes.Buffer
	if err := Convert(strings.NewReader(in), &whole, z); err != nil {
		t.Fatal(err)
	}
	if err := Convert(iotest.OneByteReader(strings.NewReader(in)), &bytewise, z); err != nil {
		t.Fatal(err)
	}
	if whole.String() != bytewise.String() {
		t.Errorf("%q: %q in one block, %q byte by byte", in, whole.String(), bytewise.String())
	}
	return whole.String()
}

func TestConvert(t *testing.T) {
	t.Parallel()
	utc := LoadZone("UTC", true)
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain line\nno label @4000000037c219bf2ef02e94\n", "plain line\nno label @4000000037c219bf2ef02e94\n"},
		{"@4000000037c219bf2ef02e94 mark\n", "1999-08-24 04:04:05.787492500 mark\n"},
		{"@4000000037c219bf2ef02e94\n", "1999-08-24 04:04:05.787492500\n"},
		{"@4000000037c219bf2ef02e94", ""}, // EOF inside the label: nothing
		{"x\n@4000000037c219bf2ef02e94", "x\n"},
		{"@4000000037c219bf2ef02e94 no newline", "1999-08-24 04:04:05.787492500 no newline"},
		{"@400000000000000000000000 epoch\n", "1969-12-31 23:59:50.000000000 epoch\n"},
		{"@4000000037c219bfffffffff big nanos\n", "1999-08-24 04:04:05.4294967295 big nanos\n"},
		{"@4000000037c219bf2ef02e94x\n", "1999-08-24 04:04:05.787492500x\n"},
		// More than 24 digits: seconds keep their last 16 digits.
		{"@ffff4000000037c219bf2ef02e94 long\n", "1999-08-24 04:04:05.787492500 long\n"},
		// Year 0 and negative years print as 0.76 does (unsigned).
		{"@3ffffff1886e09000000000a y0\n", "0-12-31 23:59:50.000000010 y0\n"},
		{"@3ffffff18598f00a00000000 y-1\n", "18446744073709551615-07-01 00:00:00.000000000 y-1\n"},
		// Where 0.76 crashes, the line is copied unchanged.
		{"@ space\n", "@ space\n"},
		{"@zz\n", "@zz\n"},
		{"@1 x\n", "@1 x\n"},
		{"@4000000000000000 short\n", "@4000000000000000 short\n"},
		{"@4000000037C219BF2EF02E94 upper\n", "@4000000037C219BF2EF02E94 upper\n"},
		{"@\n@4000000037c219bf2ef02e94 ok\n", "@\n1999-08-24 04:04:05.787492500 ok\n"},
		{"a\x00\xff\n@4000000037c219bf2ef02e94 \x00\xff\n", "a\x00\xff\n1999-08-24 04:04:05.787492500 \x00\xff\n"},
	}
	for _, tc := range tests {
		if got := convert(t, utc, tc.in); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.in, got, tc.want)
		}
	}
	// A label longer than maxLabel digits is copied unchanged.
	long := "@" + strings.Repeat("4", maxLabel+10) + " x\n"
	if got := convert(t, utc, long); got != long {
		t.Errorf("long label: %d bytes", len(got))
	}
}

func TestZones(t *testing.T) {
	t.Parallel()
	const in = "@4000000037c219bf2ef02e94 mark\n"
	tests := []struct {
		tz   string
		set  bool
		want string
	}{
		{"UTC", true, "1999-08-24 04:04:05.787492500 mark\n"},
		{"", true, "1999-08-24 04:04:05.787492500 mark\n"},
		{"America/Los_Angeles", true, "1999-08-23 21:04:05.787492500 mark\n"},
		{":America/Los_Angeles", true, "1999-08-23 21:04:05.787492500 mark\n"},
		{"/usr/share/zoneinfo/America/Los_Angeles", true, "1999-08-23 21:04:05.787492500 mark\n"},
		{"right/America/Los_Angeles", true, "1999-08-23 21:03:43.787492500 mark\n"},
		{"JST-9", true, "1999-08-24 13:04:05.787492500 mark\n"},
		{"PST8PDT,M3.2.0,M11.1.0", true, "1999-08-23 21:04:05.787492500 mark\n"},
		{"No/Such/Zone", true, "1999-08-24 04:04:05.787492500 mark\n"},
	}
	for _, tc := range tests {
		if strings.HasPrefix(tc.tz, "right/") {
			if _, err := os.Stat(ZoneDir + "/" + tc.tz); err != nil {
				t.Logf("TZ=%s not checked: requires the zone file (tzdata)", tc.tz)
				continue
			}
		}
		if got := convert(t, LoadZone(tc.tz, tc.set), in); got != tc.want {
			t.Errorf("TZ=%q: got %q, want %q", tc.tz, got, tc.want)
		}
	}
}

func TestLeapSecond(t *testing.T) {
	t.Parallel()
	z := LoadZone("right/UTC", true)
	if z.file == nil || len(z.file.leaps) == 0 {
		t.Skip("requires the right/UTC zone file with leap seconds (tzdata)")
	}
	// 2016-12-31 23:59:60 UTC, the last leap second (values from Debian's
	// tai64nlocal).
	tests := map[string]string{
		"@40000000586846a300000000": "2016-12-31 23:59:59.000000000",
		"@40000000586846a400000000": "2016-12-31 23:59:60.000000000",
		"@40000000586846a500000000": "2017-01-01 00:00:00.000000000",
	}
	for in, want := range tests {
		if got := convert(t, z, in+"\n"); got != want+"\n" {
			t.Errorf("%s: got %q, want %q", in, got, want)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("fail") }

func TestErrors(t *testing.T) {
	t.Parallel()
	if err := Convert(strings.NewReader("x\n"), failWriter{}, LoadZone("UTC", true)); err == nil {
		t.Error("write error not reported")
	}
	if err := Convert(iotest.ErrReader(errors.New("bad")), &bytes.Buffer{}, LoadZone("UTC", true)); err == nil {
		t.Error("read error not reported")
	}
}

func BenchmarkConvert(b *testing.B) {
	var in bytes.Buffer
	for i := 0; i < 10000; i++ {
		in.WriteString("@4000000037c219bf2ef02e94 " + strings.Repeat("x", 54) + "\n")
	}
	z := LoadZone("America/Los_Angeles", true)
	b.SetBytes(int64(in.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if err := Convert(bytes.NewReader(in.Bytes()), discard{}, z); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
