package multilog

import (
	"strings"
	"testing"
)

// vectors are §22.3 of the spec, each confirmed with Debian's multilog
// through `multilog '-*' '+PATTERN' e`: "+" matches, "-" does not.
var vectors = []struct {
	match         bool
	pattern, line string
}{
	{true, "one", "one"}, {false, "one", ""}, {false, "one", "on"}, {false, "one", "onf"},
	{false, "one", "one*"}, {false, "one", "onetwo"},
	{true, "", ""}, {false, "", "x"},
	{true, "*", ""}, {true, "*", "x"}, {true, "*", "*"}, {true, "*", "one"},
	{true, "one*", "one"}, {true, "one*", "one*"}, {true, "one*", "onetwo"}, {false, "one*", ""},
	{false, "one*", "x"}, {false, "one*", "on"}, {false, "one*", "onf"},
	{true, "* one", " one"}, {true, "* one", "x one"}, {true, "* one", "* one"}, {true, "* one", "xy one"},
	{false, "* one", "one"}, {false, "* one", " two"}, {false, "* one", "  one"}, {false, "* one", "xy one "},
	{true, "* * one", "  one"}, {true, "* * one", "x  one"}, {true, "* * one", " y one"},
	{true, "* * one", "x y one"}, {false, "* * one", "one"}, {false, "* * one", " one"},
	{false, "* * one", "   one"},
	{true, "**", "a*b"}, {false, "**", "ab"}, {true, "a*", "a"},
	{true, "named[*]: Cleaned cache *", "named[135]: Cleaned cache of 3121 RRs."},
}

func TestMatchVectors(t *testing.T) {
	t.Parallel()
	for _, v := range vectors {
		if got := Match(v.pattern, []byte(v.line)); got != v.match {
			t.Errorf("Match(%q, %q) = %v, want %v", v.pattern, v.line, got, v.match)
		}
	}
}

// refMatch is a byte-at-a-time transcription of 0.76's match.c.
func refMatch(pattern string, buf []byte) bool {
	p := 0
	for {
		if p == len(pattern) {
			return len(buf) == 0
		}
		ch := pattern[p]
		p++
		if ch == '*' {
			if p == len(pattern) {
				return true
			}
			ch = pattern[p]
			for {
				if len(buf) == 0 {
					return false
				}
				if buf[0] == ch {
					break
				}
				buf = buf[1:]
			}
			continue
		}
		if len(buf) == 0 || buf[0] != ch {
			return false
		}
		buf = buf[1:]
	}
}

func FuzzMatch(f *testing.F) {
	for _, v := range vectors {
		f.Add(v.pattern, []byte(v.line))
	}
	f.Fuzz(func(t *testing.T, pattern string, line []byte) {
		if strings.IndexByte(pattern, 0) >= 0 {
			return // an argument cannot hold NUL
		}
		if got, want := Match(pattern, line), refMatch(pattern, line); got != want {
			t.Errorf("Match(%q, %q) = %v, 0.76 says %v", pattern, line, got, want)
		}
	})
}

func BenchmarkMatch(b *testing.B) {
	line := []byte("@400000006b04fcdd08638794 named[135]: Cleaned cache of 3121 RRs.")
	b.ReportAllocs()
	for b.Loop() {
		if !Match("* named[*]: Cleaned cache *", line) {
			b.Fatal("no match")
		}
	}
}
