package container

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/procfs"
	"github.com/daemontools-go/daemontools/internal/scantest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

func TestMain(m *testing.M) { testutil.Main(m) }

// instruction is one instruction of the Dockerfile: its keyword (upper
// case) and its arguments as written.
type instruction struct {
	line int
	cmd  string
	args string
}

// parseDockerfile splits the Dockerfile into instructions: comments and
// blank lines dropped, lines ending in a backslash joined.
func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []instruction
	var cur strings.Builder
	start := 0
	for i, text := range strings.Split(string(b), "\n") {
		n := i + 1
		line := strings.TrimSpace(text)
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() == 0 {
			start = n
		}
		if cont, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(cont + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{line: start, cmd: strings.ToUpper(cmd), args: strings.TrimSpace(args)})
		cur.Reset()
	}
	if cur.Len() > 0 {
		t.Fatalf("%s: the last instruction ends with a backslash", path)
	}
	return out
}

// words is an instruction's arguments: a JSON array (exec form), or words.
func words(t *testing.T, in instruction) []string {
	t.Helper()
	if strings.HasPrefix(in.args, "[") {
		var w []string
		if err := json.Unmarshal([]byte(in.args), &w); err != nil {
			t.Fatalf("Dockerfile:%d: %s %s: not a JSON array of strings: %v", in.line, in.cmd, in.args, err)
		}
		return w
	}
	return strings.Fields(in.args)
}

// The Dockerfile, checked as far as it can be without Docker: it starts
// FROM a base; every COPY source exists in the build context (the top of
// the repository), bin/NAME being a program of cmd/ that make build puts
// there; the programs the entry point and the service tree run are copied,
// and are static binaries (they need nothing from the base image); the
// entry point is svscan on the directory the tree is copied to.
func TestDockerfile(t *testing.T) {
	root, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	ins := parseDockerfile(t, "Dockerfile")
	if len(ins) == 0 || ins[0].cmd != "FROM" || ins[0].args == "" {
		t.Fatalf("Dockerfile does not start with FROM: %v", ins)
	}
	known := map[string]bool{"FROM": true, "COPY": true, "VOLUME": true, "ENTRYPOINT": true, "ENV": true, "RUN": true}
	copied := map[string]bool{}  // programs
	dests := map[string]string{} // destination directory of a copied tree: its source
	var entry []string
	for _, in := range ins {
		if !known[in.cmd] {
			t.Errorf("Dockerfile:%d: unexpected instruction %s", in.line, in.cmd)
		}
		switch in.cmd {
		case "COPY":
			w := words(t, in)
			for len(w) > 0 && strings.HasPrefix(w[0], "--") {
				t.Errorf("Dockerfile:%d: COPY %s: this test knows no option", in.line, w[0])
				w = w[1:]
			}
			if len(w) < 2 {
				t.Errorf("Dockerfile:%d: COPY needs a source and a destination", in.line)
				continue
			}
			dest := w[len(w)-1]
			if len(w) > 2 && !strings.HasSuffix(dest, "/") {
				t.Errorf("Dockerfile:%d: COPY of several sources to %s, which does not end with /", in.line, dest)
			}
			for _, src := range w[:len(w)-1] {
				if prog, ok := strings.CutPrefix(src, "bin/"); ok {
					if _, err := os.Stat(filepath.Join(root, "cmd", prog, "main.go")); err != nil {
						t.Errorf("Dockerfile:%d: %s is no program of cmd/", in.line, src)
					}
					copied[prog] = true
					continue
				}
				st, err := os.Stat(filepath.Join(root, src))
				if err != nil {
					t.Errorf("Dockerfile:%d: COPY source %s: %v", in.line, src, err)
					continue
				}
				if st.IsDir() {
					dests[strings.TrimSuffix(dest, "/")] = filepath.Join(root, src)
				}
			}
		case "ENTRYPOINT":
			if !strings.HasPrefix(in.args, "[") {
				t.Errorf("Dockerfile:%d: ENTRYPOINT in shell form: svscan would not be process 1", in.line)
			}
			entry = words(t, in)
		}
	}
	if len(entry) < 2 || entry[0] != "svscan" {
		t.Fatalf("ENTRYPOINT %q, want svscan [options] DIR", entry)
	}
	tree, ok := dests[entry[len(entry)-1]]
	if !ok {
		t.Fatalf("ENTRYPOINT scans %s, where no directory is copied", entry[len(entry)-1])
	}
	if want, _ := filepath.Abs("service"); tree != want {
		t.Errorf("the image's service tree is %s, not this directory's service/", tree)
	}

	// What the image runs: svscan, supervise (per process), and every
	// program of ours that a run script names.
	need := []string{"svscan", "supervise"}
	progs, _ := filepath.Glob(filepath.Join(root, "cmd", "*", "main.go"))
	runs := runScripts(t, tree)
	if len(runs) < 4 {
		t.Fatalf("%d run scripts in %s, want web, helper and their logs", len(runs), tree)
	}
	for _, r := range runs {
		b, _ := os.ReadFile(r)
		for _, p := range progs {
			name := filepath.Base(filepath.Dir(p))
			if regexp.MustCompile(`(?m)^\s*(exec\s+)?` + name + `\b`).Match(b) {
				need = append(need, name)
			}
		}
	}
	for _, name := range need {
		if !copied[name] {
			t.Errorf("the image runs %s, which the Dockerfile does not copy", name)
		}
	}
	for name := range copied {
		f, err := elf.Open(testutil.Bin(t, name))
		if err != nil {
			t.Fatal(err)
		}
		libs, _ := f.ImportedLibraries()
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s has an ELF interpreter: not a static binary", name)
			}
		}
		if len(libs) > 0 {
			t.Errorf("%s needs shared libraries %q: not a static binary", name, libs)
		}
		f.Close()
	}
}

// runScripts returns every run script of the tree, checking that each is an
// executable script with a #! line (COPY keeps the mode).
func runScripts(t *testing.T, tree string) []string {
	t.Helper()
	var runs []string
	err := filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != layout.Run {
			return err
		}
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if st.Mode()&0o111 != 0o111 || !bytes.HasPrefix(b, []byte("#!/bin/sh\n")) {
			t.Errorf("%s: mode %v, want an executable #!/bin/sh script", p, st.Mode())
		}
		runs = append(runs, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// image is the service tree run as the image runs it: svscan as process 1 of
// a new PID namespace, a private mount namespace in which a directory of the
// test is mounted on /var/log (the volume).
type image struct {
	p      *testutil.Proc // unshare
	svscan int            // seen from here
	tree   string         // the copy of service/
	logs   string         // what the image sees as /var/log
}

func startImage(t *testing.T, args []string) *image {
	t.Helper()
	testutil.RequireRoot(t)
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("requires unshare (util-linux)")
	}
	if _, err := exec.LookPath("mount"); err != nil {
		t.Skip("requires mount (util-linux)")
	}
	path := scantest.Need(t, "svscan", "supervise", "multilog")
	dir := t.TempDir()
	im := &image{tree: filepath.Join(dir, "service"), logs: filepath.Join(dir, "log")}
	if err := os.CopyFS(im.tree, os.DirFS("service")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(im.logs, 0o755); err != nil {
		t.Fatal(err)
	}
	// sh mounts the volume and execs svscan, which is then process 1.
	script := `mount --bind "$1" /var/log && shift && exec "$@"`
	argv := append([]string{"--pid", "--fork", "--mount-proc", "sh", "-c", script, "sh", im.logs, testutil.Bin(t, "svscan")}, args...)
	argv = append(argv, im.tree)
	im.p = testutil.Start(t, testutil.Options{Env: []string{"PATH=" + path}}, unshare, argv...)
	testutil.Eventually(t, 10*time.Second, "svscan as process 1", func() (bool, string) {
		for _, k := range procfs.LiveChildren(im.p.Pid()) {
			if a := procfs.Cmdline(k); len(a) > 0 && filepath.Base(a[0]) == "svscan" {
				im.svscan = k
				return true, ""
			}
		}
		return false, im.p.Stderr.String()
	})
	return im
}

// lines returns the lines of name's log on the volume, without their TAI64N
// labels (multilog t).
func (im *image) lines(name string) []string {
	b, _ := os.ReadFile(filepath.Join(im.logs, name, "current"))
	var out []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if label, text, ok := strings.Cut(l, " "); ok && len(label) == 25 && label[0] == '@' {
			out = append(out, text)
		}
	}
	return out
}

// count returns how many lines of name's log start with prefix.
func (im *image) count(name, prefix string) int {
	n := 0
	for _, l := range im.lines(name) {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// checkLog checks that the log of name holds first, then the numbered
// lines prefix 1, prefix 2... with none missing, the other lines being in
// others; and, when last is not empty, ends with last and the count. It
// returns the count.
func checkLog(t *testing.T, im *image, name, first, prefix string, others []string, last string) int {
	t.Helper()
	lines := im.lines(name)
	if len(lines) == 0 || lines[0] != first {
		t.Fatalf("%s's log: %q, want it to start with %q", name, lines, first)
	}
	n := 0
	for _, l := range lines[1:] {
		switch {
		case strings.HasPrefix(l, prefix):
			if l != prefix+strconv.Itoa(n+1) {
				t.Fatalf("%s's log: %q after %s%d: a line is missing\n%s", name, l, prefix, n, strings.Join(lines, "\n"))
			}
			n++
		case slices.Contains(others, l):
		case last != "" && l == strings.ReplaceAll(last, "N", strconv.Itoa(n)) && l == lines[len(lines)-1]:
		default:
			t.Fatalf("%s's log: unexpected line %q\n%s", name, l, strings.Join(lines, "\n"))
		}
	}
	if last != "" && lines[len(lines)-1] != strings.ReplaceAll(last, "N", strconv.Itoa(n)) {
		t.Fatalf("%s's log ends with %q, want %q", name, lines[len(lines)-1], strings.ReplaceAll(last, "N", strconv.Itoa(n)))
	}
	return n
}

// The image, in both modes: web and helper start and log to the volume; a
// HUP reaches web; docker stop (SIGTERM to process 1) stops both, their
// loggers write every line, and svscan exits 0 (web's code) well before
// Docker's 10 seconds; when web dies on its own (here of SIGKILL), the
// helper is stopped too and svscan exits 137, web's 128 + 9.
func TestImage(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		args []string
	}{{"per-process", nil}, {"consolidated", []string{"-C"}}} {
		t.Run(mode.name+"/docker-stop", func(t *testing.T) {
			t.Parallel()
			im := startImage(t, mode.args)
			testutil.Eventually(t, 20*time.Second, "web and helper logging", func() (bool, string) {
				return im.count("web", "web: served request ") >= 2 && im.count("helper", "helper: refreshed") >= 1,
					strings.Join(append(im.lines("web"), im.lines("helper")...), "\n")
			})
			syscall.Kill(im.svscan, syscall.SIGHUP) //nolint:errcheck
			testutil.Eventually(t, 10*time.Second, "HUP passed on to web", func() (bool, string) {
				return im.count("web", "web: got HUP, reloading") == 1, strings.Join(im.lines("web"), "\n")
			})
			begin := time.Now()
			syscall.Kill(im.svscan, syscall.SIGTERM) //nolint:errcheck
			if code := im.p.Wait(t, 20*time.Second); code != 0 {
				t.Errorf("exit code %d after SIGTERM, want 0 (web's); stderr %q", code, im.p.Stderr.String())
			}
			if took := time.Since(begin); took > 5*time.Second {
				t.Errorf("the stop took %v; both services exit at once on TERM", took)
			}
			n := checkLog(t, im, "web", "web: listening", "web: served request ", []string{"web: got HUP, reloading"},
				"web: got TERM after N requests, stopping")
			if n < 2 {
				t.Errorf("web served %d requests", n)
			}
			checkLog(t, im, "helper", "helper: started", "helper: refreshed the cache, round ", nil,
				"helper: got TERM after N rounds, stopping")
			if s := im.p.Stderr.String(); s != "" {
				t.Errorf("svscan's stderr: %q", s)
			}
		})
		t.Run(mode.name+"/main-dies", func(t *testing.T) {
			t.Parallel()
			im := startImage(t, mode.args)
			testutil.Eventually(t, 20*time.Second, "web and helper logging", func() (bool, string) {
				return im.count("web", "web: served request ") >= 2 && im.count("helper", "helper: refreshed") >= 1,
					strings.Join(append(im.lines("web"), im.lines("helper")...), "\n")
			})
			svc := testutil.Run(t, testutil.Options{}, testutil.Bin(t, "svc"), "-k", filepath.Join(im.tree, "web"))
			if svc.Code != 0 || svc.Stderr != "" {
				t.Fatalf("svc -k: %+v", svc)
			}
			if code := im.p.Wait(t, 20*time.Second); code != 128+9 {
				t.Errorf("exit code %d after web was killed, want 137; stderr %q", code, im.p.Stderr.String())
			}
			checkLog(t, im, "web", "web: listening", "web: served request ", nil, "")
			checkLog(t, im, "helper", "helper: started", "helper: refreshed the cache, round ", nil,
				"helper: got TERM after N rounds, stopping")
		})
	}
}
