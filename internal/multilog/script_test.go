package multilog

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	dir := func(arg string, size, num uint64, hasProc bool, proc string) Action {
		return Action{Kind: Dir, Arg: arg, Size: size, Num: num, HasProc: hasProc, Proc: proc}
	}
	tests := []struct {
		args []string
		want Script
	}{
		{nil, Script{}},
		{[]string{"t"}, Script{Timestamp: true}},
		{[]string{"tfoo", "e"}, Script{Timestamp: true, Actions: []Action{{Kind: Stderr}}}},
		{[]string{"e", "t", "elephant"}, Script{Actions: []Action{{Kind: Stderr}, {Kind: Stderr}}}},
		{[]string{"", "x", "?", "+", "-"}, Script{Actions: []Action{{Kind: Select}, {Kind: Deselect}}}},
		{[]string{"-*", "+one* two", "=st"}, Script{Actions: []Action{{Kind: Deselect, Arg: "*"},
			{Kind: Select, Arg: "one* two"}, {Kind: Status, Arg: "st"}}}},
		{[]string{"./a", "s1", "n1", "./b", "size", "n5x", "/c"}, Script{Actions: []Action{
			dir("./a", DefaultSize, DefaultNum, false, ""), dir("./b", 4096, 2, false, ""), dir("/c", 4096, 5, false, "")}}},
		{[]string{"s999999999", "./a", "s5000junk", "./b"}, Script{Actions: []Action{
			dir("./a", MaxSize, DefaultNum, false, ""), dir("./b", 5000, DefaultNum, false, "")}}},
		// scan_ulong wraps modulo 2^64: 2^64+4097 -> 4097.
		{[]string{"s18446744073709555713", "./a"}, Script{Actions: []Action{dir("./a", 4097, DefaultNum, false, "")}}},
		{[]string{"./a", "!gzip", "./b", "!", "./c"}, Script{Actions: []Action{
			dir("./a", DefaultSize, DefaultNum, false, ""), dir("./b", DefaultSize, DefaultNum, true, "gzip"),
			dir("./c", DefaultSize, DefaultNum, true, "")}}},
	}
	for _, tc := range tests {
		if got := Parse(tc.args); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.args, got, tc.want)
		}
	}
}
