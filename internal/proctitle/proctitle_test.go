package proctitle

import (
	"bytes"
	"testing"
)

// appendSlowly is the spec's byte-at-a-time rule.
func appendSlowly(t []byte, p []byte) {
	for _, c := range p {
		if c == 0 {
			continue
		}
		copy(t[3:len(t)-1], t[4:])
		t[len(t)-1] = c
	}
}

func TestAppendMatchesByteAtATime(t *testing.T) {
	inputs := [][]byte{
		[]byte("fatal error xyz\nwarning abc\n"),
		[]byte("a"),
		[]byte("ab\x00cd\x00\x00"),
		bytes.Repeat([]byte("0123456789"), 7),
		{},
	}
	for _, n := range []int{5, 6, 20, 400} {
		fast := Title(make([]byte, n))
		fast.Reset()
		slow := bytes.Repeat([]byte("."), n)
		var scratch []byte
		for _, in := range inputs {
			scratch = fast.Append(in, scratch)
			appendSlowly(slow, in)
			if !bytes.Equal(fast, slow) {
				t.Fatalf("len %d after %q: got %q, want %q", n, in, fast, slow)
			}
		}
	}
}

func TestSpecExample(t *testing.T) {
	title := Title([]byte("...................."))
	title.Append([]byte("fatal error xyz\nwarning abc\n"), nil)
	if got, want := string(title), "... xyz\nwarning abc\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestArgBytesInPlace(t *testing.T) {
	b := []byte("hello")
	s := string(b) // a copy we may write to
	p := ArgBytes(s)
	p[0] = 'j'
	if s != "jello" {
		t.Errorf("ArgBytes did not alias the string: %q", s)
	}
	if ArgBytes("") != nil {
		t.Errorf("empty string")
	}
}
