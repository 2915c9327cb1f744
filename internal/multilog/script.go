package multilog

// Kind says what an action does; it is decided by the first character of
// its argument.
type Kind int

// Action kinds. Settings (s, n, !) are folded into the directories that
// follow them and do not appear in Script.Actions.
const (
	Select   Kind = iota // +pattern
	Deselect             // -pattern
	Stderr               // e...
	Status               // =file
	Dir                  // ./dir or /dir
)

// Defaults and limits of the s and n settings.
const (
	DefaultSize = 99999
	MinSize     = 4096
	MaxSize     = 16777215
	DefaultNum  = 10
	MinNum      = 2
)

// Action is one effective action of the script.
type Action struct {
	Kind    Kind
	Arg     string // pattern, file name or directory exactly as written
	Size    uint64 // Dir: maximum size of current
	Num     uint64 // Dir: number of log files, archives + current
	HasProc bool   // Dir: a processor was given (possibly empty)
	Proc    string // Dir: processor text for sh -c
}

// Script is a parsed multilog command line.
type Script struct {
	Timestamp bool // the first argument starts with 't'
	Actions   []Action
}

// Parse turns multilog's arguments into a script. It never fails: unknown
// arguments (and the empty string) are ignored, as in 0.76.
func Parse(args []string) Script {
	var s Script
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] == 't' {
		s.Timestamp = true
		args = args[1:]
	}
	size, num := uint64(DefaultSize), uint64(DefaultNum)
	hasProc, proc := false, ""
	for _, a := range args {
		if a == "" {
			continue
		}
		switch a[0] {
		case '+':
			s.Actions = append(s.Actions, Action{Kind: Select, Arg: a[1:]})
		case '-':
			s.Actions = append(s.Actions, Action{Kind: Deselect, Arg: a[1:]})
		case 'e':
			s.Actions = append(s.Actions, Action{Kind: Stderr})
		case '=':
			s.Actions = append(s.Actions, Action{Kind: Status, Arg: a[1:]})
		case '.', '/':
			s.Actions = append(s.Actions, Action{Kind: Dir, Arg: a, Size: size, Num: num, HasProc: hasProc, Proc: proc})
		case 's':
			size = min(max(scanUlong(a[1:]), MinSize), MaxSize)
		case 'n':
			num = max(scanUlong(a[1:]), MinNum)
		case '!':
			hasProc, proc = true, a[1:]
		}
	}
	return s
}

// scanUlong reads leading decimal digits the way djb's scan_ulong does:
// no digits is 0, trailing text is ignored, overflow wraps modulo 2^64.
func scanUlong(s string) uint64 {
	var u uint64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		u = u*10 + uint64(s[i]-'0')
	}
	return u
}
