package logcheck

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLine(t *testing.T) {
	for _, size := range []int{MinSize, 80, 1024} {
		l := Line(nil, 42, size)
		if len(l) != size || l[size-1] != '\n' || !bytes.HasPrefix(l, []byte("0000000042 ")) {
			t.Errorf("Line(42, %d) = %q", size, l)
		}
	}
	if bytes.Equal(Line(nil, 1, 80)[11:], Line(nil, 2, 80)[11:]) {
		t.Error("the filler does not depend on the line number")
	}
	if err := WriteInput(filepath.Join(t.TempDir(), "in"), 3, MinSize-1); err == nil {
		t.Error("WriteInput accepted a line too short for its number")
	}
}

// stamped writes lines first..last-1 to a file, each behind stamp.
func stamped(t *testing.T, path string, first, last, size int, stamp string) {
	t.Helper()
	var b []byte
	for i := first; i < last; i++ {
		b = append(b, stamp...)
		b = Line(b, i, size)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

const tai = "@400000006b04f9ac00620938 "

func TestCheckDirInOrder(t *testing.T) {
	dir := t.TempDir()
	// Archives sort by their TAI64N name, current comes last; other files are ignored.
	stamped(t, filepath.Join(dir, "@400000006b04f9ac00000000.s"), 0, 10, 80, tai)
	stamped(t, filepath.Join(dir, "@400000006b04f9ad00000000.s"), 10, 25, 80, tai)
	stamped(t, filepath.Join(dir, "current"), 25, 30, 80, tai)
	os.WriteFile(filepath.Join(dir, "state"), []byte("junk\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "lock"), nil, 0o600)
	files, _ := Files(dir)
	if len(files) != 3 || filepath.Base(files[2]) != "current" || !strings.HasSuffix(files[0], "ac00000000.s") {
		t.Fatalf("Files = %v", files)
	}
	res, err := CheckDir(dir, 30, 80, TAI64NStamp, false)
	if err != nil || res.Lines != 30 || res.First != 0 || res.Files != 3 {
		t.Fatalf("CheckDir = %+v, %v", res, err)
	}
	if _, err := CheckDir(dir, 31, 80, TAI64NStamp, false); err == nil {
		t.Error("a missing last line was not noticed")
	}
	if _, err := CheckDir(dir, 30, 81, TAI64NStamp, false); err == nil {
		t.Error("lines of the wrong size were accepted")
	}
	if _, err := CheckDir(dir, 30, 80, SvlogdStamp, false); err == nil {
		t.Error("TAI64N stamps passed for svlogd's")
	}
}

func TestCheckFindsLossDuplicationReorderAndDamage(t *testing.T) {
	dir := t.TempDir()
	var good []byte
	for i := 0; i < 5; i++ {
		good = Line(good, i, 40)
	}
	lines := bytes.SplitAfter(good, []byte("\n"))[:5]
	cases := map[string][]byte{
		"lost":       bytes.Join([][]byte{lines[0], lines[1], lines[3], lines[4]}, nil),
		"duplicated": bytes.Join([][]byte{lines[0], lines[1], lines[1], lines[2], lines[3], lines[4]}, nil),
		"reordered":  bytes.Join([][]byte{lines[0], lines[2], lines[1], lines[3], lines[4]}, nil),
		"damaged":    bytes.Replace(good, []byte("0000000002 "), []byte("0000000002x"), 1),
		"cut":        good[:len(good)-1],
		"empty":      nil,
	}
	for name, b := range cases {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		if _, err := Check([]string{p}, 5, 40, NoStamp, false); err == nil {
			t.Errorf("%s: not noticed", name)
		}
	}
	p := filepath.Join(dir, "good")
	os.WriteFile(p, good, 0o644)
	if _, err := Check([]string{p}, 5, 40, NoStamp, false); err != nil {
		t.Errorf("good: %v", err)
	}
}

func TestCheckStamps(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		stamp Stamp
		text  string
		ok    bool
	}{
		{SvlogdStamp, "2026-11-24_02:42:14.98664 ", true},
		{SvlogdStamp, "2026-11-24T02:42:14.98664 ", false},
		{TAI64NStamp, tai, true},
		{TAI64NStamp, "@400000006b04f9ac0062093 ", false},
		{TAI64NStamp, "@400000006B04F9AC00620938 ", false},
		{NoStamp, "", true},
	} {
		p := filepath.Join(dir, "f")
		stamped(t, p, 0, 3, 30, c.text)
		_, err := Check([]string{p}, 3, 30, c.stamp, false)
		if (err == nil) != c.ok {
			t.Errorf("stamp %q: err %v", c.text, err)
		}
	}
}

func TestCheckTail(t *testing.T) {
	dir := t.TempDir()
	// A rotating log kept lines 7..19; its oldest file begins inside line 6.
	var b []byte
	b = append(b, Line(nil, 6, 50)[20:]...)
	for i := 7; i < 20; i++ {
		b = append(b, tai...)
		b = Line(b, i, 50)
	}
	p := filepath.Join(dir, "@400000006b04f9ac00000000.s")
	os.WriteFile(p, b, 0o644)
	res, err := Check([]string{p}, 20, 50, TAI64NStamp, true)
	if err != nil || res.First != 7 || res.Lines != 13 {
		t.Fatalf("tail: %+v %v", res, err)
	}
	if _, err := Check([]string{p}, 20, 50, TAI64NStamp, false); err == nil {
		t.Error("a log missing its head passed the full check")
	}
	if _, err := Check([]string{p}, 21, 50, TAI64NStamp, true); err == nil {
		t.Error("a tail missing the last line passed")
	}
}
