package man

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/russross/blackfriday/v2"

	"github.com/daemontools-go/daemontools/internal/limits"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// The usage test runs the built programs.
func TestMain(m *testing.M) { testutil.Main(m) }

// beyond076 are the programs that daemontools 0.76 does not have: their
// pages have a HISTORY section instead of the differences from 0.76.
var beyond076 = []string{"svctl", "svctl-serve"}

// page is one NAME.8.md of this directory, parsed as go-md2man parses it.
type page struct {
	prog string
	path string
	src  []byte
	doc  *blackfriday.Node
}

func pages(t *testing.T) []page {
	t.Helper()
	paths, err := filepath.Glob("*.8.md")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no page *.8.md in doc/man")
	}
	ext := md2man.NewRoffRenderer().GetExtensions()
	var ps []page
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc := blackfriday.New(blackfriday.WithExtensions(ext)).Parse(src)
		ps = append(ps, page{prog: strings.TrimSuffix(p, ".8.md"), path: p, src: src, doc: doc})
	}
	return ps
}

// programs lists the commands of cmd/.
func programs(t *testing.T) []string {
	t.Helper()
	root, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	mains, err := filepath.Glob(filepath.Join(root, "cmd", "*", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	var progs []string
	for _, m := range mains {
		progs = append(progs, filepath.Base(filepath.Dir(m)))
	}
	if len(progs) < 17 {
		t.Fatalf("found %d programs in cmd/, want at least the 17 of daemontools", len(progs))
	}
	return progs
}

func TestEveryProgramHasAPage(t *testing.T) {
	progs := programs(t)
	var names []string
	for _, p := range pages(t) {
		names = append(names, p.prog)
	}
	for _, prog := range progs {
		if !slices.Contains(names, prog) {
			t.Errorf("cmd/%s has no page doc/man/%s.8.md", prog, prog)
		}
	}
	for _, name := range names {
		if !slices.Contains(progs, name) {
			t.Errorf("doc/man/%s.8.md documents no program of cmd/", name)
		}
	}
}

// section is a level-1 heading of a page and the top-level nodes under it.
type section struct {
	name  string
	nodes []*blackfriday.Node
}

// split returns the title heading and the sections of a page.
func split(doc *blackfriday.Node) (title *blackfriday.Node, secs []section) {
	for n := doc.FirstChild; n != nil; n = n.Next {
		switch {
		case title == nil:
			title = n
		case n.Type == blackfriday.Heading && n.Level == 1:
			secs = append(secs, section{name: text(n)})
		case len(secs) > 0:
			secs[len(secs)-1].nodes = append(secs[len(secs)-1].nodes, n)
		}
	}
	return title, secs
}

// text is the text of a node and its children, markup removed.
func text(n *blackfriday.Node) string {
	var b strings.Builder
	n.Walk(func(c *blackfriday.Node, entering bool) blackfriday.WalkStatus {
		if entering && (c.Type == blackfriday.Text || c.Type == blackfriday.Code) {
			b.Write(c.Literal)
		}
		return blackfriday.GoToNext
	})
	return b.String()
}

// terms returns the words that start the definition-list terms under
// nodes: "-a allbytes" gives "-a", "hup, alarm" gives "hup" and "alarm".
func terms(nodes []*blackfriday.Node) []string {
	var ts []string
	for _, n := range nodes {
		n.Walk(func(c *blackfriday.Node, entering bool) blackfriday.WalkStatus {
			if entering && c.Type == blackfriday.Item && c.ListFlags&blackfriday.ListTypeTerm != 0 {
				for _, part := range strings.Split(text(c), ",") {
					if f := strings.Fields(part); len(f) > 0 {
						ts = append(ts, f[0])
					}
				}
			}
			return blackfriday.GoToNext
		})
	}
	return ts
}

var (
	titleRE = regexp.MustCompile(`^([A-Z0-9-]+) 8 "\d{4}-\d{2}-\d{2}" "daemontools in Go" "System Manager's Manual"$`)
	refRE   = regexp.MustCompile(`\*\*([A-Za-z0-9_.-]+)\*\*\((\d)\)`)
)

// The sections every page has, in this order; others may come between.
var required = []string{"NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"}

const differences = "DIFFERENCES FROM DAEMONTOOLS 0.76"

var optional = []string{"ENVIRONMENT", differences, "HISTORY"}

func TestPageStructure(t *testing.T) {
	ps := pages(t)
	var names []string
	for _, p := range ps {
		names = append(names, p.prog)
	}
	for _, p := range ps {
		title, secs := split(p.doc)
		if title == nil || title.Type != blackfriday.Heading || title.Level != 1 {
			t.Errorf("%s: does not start with the title heading", p.path)
			continue
		}
		if m := titleRE.FindStringSubmatch(text(title)); m == nil || m[1] != strings.ToUpper(p.prog) {
			t.Errorf("%s: title %q, want `%s 8 \"YYYY-MM-DD\" \"daemontools in Go\" \"System Manager's Manual\"`",
				p.path, text(title), strings.ToUpper(p.prog))
		}
		var got []string
		for _, s := range secs {
			if !slices.Contains(required, s.name) && !slices.Contains(optional, s.name) {
				t.Errorf("%s: unexpected section %q", p.path, s.name)
			}
			if slices.Contains(required, s.name) {
				got = append(got, s.name)
			}
		}
		if !slices.Equal(got, required) {
			t.Errorf("%s: sections %q, want %q in this order", p.path, got, required)
		}
		if secs[len(secs)-1].name != "SEE ALSO" {
			t.Errorf("%s: the last section is %q, not SEE ALSO", p.path, secs[len(secs)-1].name)
		}
		want := differences
		if slices.Contains(beyond076, p.prog) {
			want = "HISTORY"
		}
		if !slices.ContainsFunc(secs, func(s section) bool { return s.name == want }) {
			t.Errorf("%s: no section %s", p.path, want)
		}
		for _, s := range secs {
			switch s.name {
			case "NAME":
				if len(s.nodes) != 1 || !strings.HasPrefix(text(s.nodes[0]), p.prog+" - ") {
					t.Errorf("%s: NAME must be one line %q", p.path, p.prog+" - what it does")
				}
			case "SYNOPSIS":
				if !strings.Contains(string(p.src), "**"+p.prog+"**") {
					t.Errorf("%s: SYNOPSIS does not show **%s**", p.path, p.prog)
				}
			}
		}
		p.doc.Walk(func(n *blackfriday.Node, entering bool) blackfriday.WalkStatus {
			switch {
			case !entering:
			case n.Type == blackfriday.Heading && n.Level == 2:
				t.Errorf("%s: level-2 heading %q becomes a section: use ### for a subsection", p.path, text(n))
			case n.Type == blackfriday.HTMLSpan || n.Type == blackfriday.HTMLBlock:
				t.Errorf("%s: %q is taken for HTML and dropped: put it in `code`", p.path, n.Literal)
			}
			return blackfriday.GoToNext
		})
		for _, m := range refRE.FindAllStringSubmatch(string(p.src), -1) {
			if m[2] == "8" && !slices.Contains(names, m[1]) {
				t.Errorf("%s: refers to %s(8), which has no page", p.path, m[1])
			}
		}
	}
}

func letters(s string) []string {
	var opts []string
	for _, c := range strings.ReplaceAll(s, ":", "") {
		opts = append(opts, "-"+string(c))
	}
	return opts
}

// Each option must be a term of the page's OPTIONS, and each svctl verb a
// term of its DESCRIPTION.
var documented = []struct {
	prog, section string
	terms         []string
}{
	{"supervise", "DESCRIPTION", strings.Split("u d o p c h a i t k q 1 2 r x", " ")},
	{"svc", "OPTIONS", letters("udopchaitkx")},
	{"setlock", "OPTIONS", letters("nNxX")},
	{"softlimit", "OPTIONS", letters(limits.Spec)},
	{"svscan", "OPTIONS", []string{"-C", "-P"}},
	{"svscanboot", "OPTIONS", []string{"-C"}},
	{"svctl", "OPTIONS", []string{"--json", "-w", "-t", "--any", "-f", "-n", "--logdir", "--listen", "--help"}},
	{"svctl-serve", "OPTIONS", []string{"--listen", "--help"}},
	{"svctl", "DESCRIPTION", []string{"up", "down", "once", "restart", "pause", "cont", "hup", "alarm",
		"interrupt", "quit", "term", "kill", "usr1", "usr2", "exit"}},
}

func TestOptionsDocumented(t *testing.T) {
	ps := pages(t)
	for _, d := range documented {
		p, nodes, ok := find(t, ps, d.prog, d.section)
		if !ok {
			continue
		}
		got := terms(nodes)
		for _, term := range d.terms {
			if !slices.Contains(got, term) {
				t.Errorf("%s: %s does not document %s (terms: %q)", p.path, d.section, term, got)
			}
		}
	}
}

// find returns the page of prog and the nodes of its section name.
func find(t *testing.T, ps []page, prog, name string) (page, []*blackfriday.Node, bool) {
	t.Helper()
	i := slices.IndexFunc(ps, func(p page) bool { return p.prog == prog })
	if i < 0 {
		t.Errorf("no page for %s", prog)
		return page{}, nil, false
	}
	_, secs := split(ps[i].doc)
	j := slices.IndexFunc(secs, func(s section) bool { return s.name == name })
	if j < 0 {
		t.Errorf("%s: no section %s", ps[i].path, name)
		return ps[i], nil, false
	}
	return ps[i], secs[j].nodes, true
}

// The usage message of each program that has one, as the program prints
// it, must be on its page, and so must the exit code.
var usages = []struct {
	prog string
	args []string
	code int
}{
	{"supervise", nil, 100},
	{"svc", []string{"-z"}, 100},
	{"svok", nil, 100},
	{"setuidgid", nil, 100},
	{"envuidgid", nil, 100},
	{"envdir", nil, 111},
	{"softlimit", nil, 100},
	{"setlock", nil, 100},
	{"fghack", nil, 100},
	{"pgrphack", nil, 100},
	{"svctl-serve", nil, 100},
}

func TestUsageOnPage(t *testing.T) {
	ps := pages(t)
	for _, u := range usages {
		p, exit, ok := find(t, ps, u.prog, "EXIT STATUS")
		if !ok {
			continue
		}
		cmd := exec.Command(testutil.Bin(t, u.prog), u.args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != u.code {
			t.Errorf("%s %q: exit code %d (%v), want %d", u.prog, u.args, code, err, u.code)
		}
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		usage := lines[len(lines)-1]
		if !strings.Contains(flat(string(p.src)), "`"+usage+"`") {
			t.Errorf("%s: the usage line `%s` is not on the page", p.path, usage)
		}
		var codes strings.Builder
		for _, n := range exit {
			codes.WriteString(text(n) + " ")
		}
		if !regexp.MustCompile(fmt.Sprintf(`(^|\D)%d(\D|$)`, u.code)).MatchString(codes.String()) {
			t.Errorf("%s: EXIT STATUS does not name %d, the usage error's code", p.path, u.code)
		}
	}
}

// flat joins the lines of s with single spaces, as markdown joins them.
func flat(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// render turns the pages into roff in dir, as `make man` does.
func render(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range pages(t) {
		f := filepath.Join(dir, p.prog+".8")
		if err := os.WriteFile(f, md2man.Render(p.src), 0o644); err != nil {
			t.Fatal(err)
		}
		out[p.prog] = f
	}
	return out
}

func TestMandocLint(t *testing.T) {
	if _, err := exec.LookPath("mandoc"); err != nil {
		t.Skip("requires mandoc (apt-get install mandoc)")
	}
	for prog, f := range render(t, t.TempDir()) {
		out, err := exec.Command("mandoc", "-T", "lint", "-W", "style", f).CombinedOutput()
		if err != nil || len(out) > 0 {
			t.Errorf("%s.8.md: mandoc -T lint: %v\n%s", prog, err, out)
		}
		checkRendered(t, prog, exec.Command("mandoc", "-T", "utf8", f))
	}
}

// checkRendered runs cmd, which formats the page of prog, and checks that
// it succeeds quietly and shows the page.
func checkRendered(t *testing.T, prog string, cmd *exec.Cmd) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("%s: %v: %v\n%s", prog, cmd.Args, err, stderr.Bytes())
		return
	}
	// Drop overstrike and escapes (man's bold), and justification's spaces.
	plain := regexp.MustCompile(`.\x08|\x1b\[[0-9;]*m`).ReplaceAllString(stdout.String(), "")
	plain = regexp.MustCompile(` +`).ReplaceAllString(plain, " ")
	for _, want := range []string{strings.ToUpper(prog) + "(8)", "SYNOPSIS", "EXIT STATUS", "SEE ALSO", prog + " - "} {
		if !strings.Contains(plain, want) {
			t.Errorf("%s: %v shows no %q:\n%s", prog, cmd.Args, want, plain)
		}
	}
}

// goCommand finds the go command for make.
func goCommand(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(p); err != nil {
		t.Skip("requires the go command")
	}
	return p
}

func TestMakeInstall(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("requires make")
	}
	root, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	dest := filepath.Join(tmp, "root")
	// A binary directory of its own: the tests of other packages may be
	// running the programs of bin/.
	cmd := exec.Command("make", "-C", root, "install", "DESTDIR="+dest, "PREFIX=/usr",
		"BIN="+filepath.Join(tmp, "bin"), "GO="+goCommand(t))
	for _, kv := range os.Environ() {
		// Not the jobserver of a `make test` above us.
		if !strings.HasPrefix(kv, "MAKEFLAGS=") && !strings.HasPrefix(kv, "MFLAGS=") && !strings.HasPrefix(kv, "MAKELEVEL=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}

	man8 := filepath.Join(dest, "usr", "share", "man", "man8")
	installed, err := filepath.Glob(filepath.Join(man8, "*"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range pages(t) {
		want = append(want, filepath.Join(man8, p.prog+".8"))
	}
	if !slices.Equal(installed, want) {
		t.Fatalf("installed pages:\n%q\nwant:\n%q", installed, want)
	}
	if len(installed) != 19 {
		t.Errorf("%d pages installed, want 19 (17 daemontools programs, svctl and svctl-serve)", len(installed))
	}
	for _, prog := range programs(t) {
		if _, err := os.Stat(filepath.Join(dest, "usr", "bin", prog)); err != nil {
			t.Errorf("program not installed: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(dest, "usr", "lib", "systemd", "system", "daemontools.service")); err != nil {
		t.Errorf("unit not installed: %v", err)
	}

	for _, f := range installed {
		prog := strings.TrimSuffix(filepath.Base(f), ".8")
		var cmd *exec.Cmd
		if _, err := exec.LookPath("man"); err == nil {
			cmd = exec.Command("man", "--warnings", "-l", f)
			cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat")
		} else if _, err := exec.LookPath("mandoc"); err == nil {
			cmd = exec.Command("mandoc", "-T", "utf8", f)
		} else {
			t.Skip("requires man or mandoc to render the installed pages")
		}
		checkRendered(t, prog, cmd)
	}
}
