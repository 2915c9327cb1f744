package getopt

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		args     []string
		spec     string
		opts     []Opt
		operands []string
		err      string
	}{
		{[]string{"-ddu", "-t", "-tk", "-x", "--", "-h", "dir"}, "udopchaitkx", []Opt{{'d', ""}, {'d', ""}, {'u', ""}, {'t', ""}, {'t', ""}, {'k', ""}, {'x', ""}}, []string{"-h", "dir"}, ""},
		{[]string{"-m1000", "-o", "5", "child", "-x"}, "a:m:o:", []Opt{{'m', "1000"}, {'o', "5"}}, []string{"child", "-x"}, ""},
		{[]string{"-", "-d"}, "d", nil, []string{"-", "-d"}, ""},
		{[]string{"-z"}, "d", nil, nil, "illegal option -- z"},
		{[]string{"-d:"}, "d", []Opt{{'d', ""}}, nil, "illegal option -- :"},
		{[]string{"-m"}, "m:", nil, nil, "option requires an argument -- m"},
		{[]string{"-m", "--"}, "m:", []Opt{{'m', "--"}}, []string{}, ""},
		{[]string{"-nx", "file", "prog"}, "nNxX", []Opt{{'n', ""}, {'x', ""}}, []string{"file", "prog"}, ""},
		{nil, "d", nil, []string{}, ""},
	} {
		opts, operands, err := Parse(c.args, c.spec)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%q: err = %v, want %q", c.args, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: unexpected error %v", c.args, err)
			continue
		}
		if !reflect.DeepEqual(opts, c.opts) || len(operands) != len(c.operands) || (len(operands) > 0 && !reflect.DeepEqual(operands, c.operands)) {
			t.Errorf("%q: got %v %q, want %v %q", c.args, opts, operands, c.opts, c.operands)
		}
	}
}

func TestProgName(t *testing.T) {
	if ProgName("/usr/bin/svc") != "svc" || ProgName("svc") != "svc" || ProgName("./a/") != "" {
		t.Error("ProgName")
	}
}
