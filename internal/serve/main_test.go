package serve

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// svctl serve's arguments, help and exit codes, through svctl.
func TestProgram(t *testing.T) {
	t.Parallel()
	svctl := testutil.Bin(t, "svctl")
	dir := t.TempDir()
	run := func(args ...string) testutil.Result {
		return testutil.Run(t, testutil.Options{Dir: dir}, svctl, args...)
	}
	for _, c := range []struct {
		args string
		err  string
	}{
		{"serve", "svctl: serve: no DIR given\n"},
		{"serve --listen", "svctl: serve: option --listen requires ADDR\n"},
		{"serve --listen 9717 .", "svctl: serve: --listen: not host:port: 9717\n"},
		{"serve --port 1 .", "svctl: serve: unknown option --port\n"},
		{"serve -l x .", "svctl: serve: unknown option -l\n"},
	} {
		r := run(strings.Fields(c.args)...)
		if want := c.err + "svctl: usage: svctl serve [--listen ADDR] DIR...\n"; r.Code != 100 || r.Stderr != want || r.Stdout != "" {
			t.Errorf("svctl %s: %+v, want 100 and %q", c.args, r, want)
		}
	}
	help := run("help", "serve")
	if help.Code != 0 || !strings.HasPrefix(help.Stdout, "usage: svctl serve [--listen ADDR] DIR...\n\n") || help.Stderr != "" {
		t.Fatalf("help serve: %+v", help)
	}
	for _, args := range [][]string{{"serve", "--help"}, {"serve", "--listen", "x", "-h", "dir"}} {
		if r := run(args...); r != help {
			t.Errorf("%q: %+v", args, r)
		}
	}
	if r := testutil.Run(t, testutil.Options{}, testutil.Bin(t, "svctl-serve"), "--help"); r != help {
		t.Errorf("svctl-serve --help: %+v", r)
	}
	missing := filepath.Join(dir, "missing")
	if r := run("serve", dir, missing); r.Code != 111 || r.Stderr != "svctl: fatal: unable to open scan directory "+missing+": file does not exist\n" {
		t.Errorf("missing DIR: %+v", r)
	}
	writeFile(t, dir, "file", "")
	if r := run("serve", filepath.Join(dir, "file")); r.Code != 111 || !strings.HasSuffix(r.Stderr, ": not a directory\n") {
		t.Errorf("a file as DIR: %+v", r)
	}
	// A port taken.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if r := run("serve", "--listen", ln.Addr().String(), dir); r.Code != 111 ||
		r.Stderr != "svctl: fatal: unable to listen on "+ln.Addr().String()+": address already used\n" {
		t.Errorf("a port taken: %+v", r)
	}
	// Not loopback: a warning. TERM: exit 0.
	p := testutil.Start(t, testutil.Options{}, svctl, "serve", "--listen=0.0.0.0:0", dir)
	testutil.Eventually(t, svtest.Deadline, "svctl serve to listen", func() (bool, string) {
		return strings.Contains(p.Stderr.String(), "listening on"), p.Stderr.String()
	})
	lines := strings.Split(p.Stderr.String(), "\n")
	if !strings.HasPrefix(lines[0], "svctl: warning: serve: 0.0.0.0:") ||
		!strings.HasSuffix(lines[0], " is not a loopback address: whoever can reach it sees the state and the logs of every service, without authentication") ||
		!strings.HasPrefix(lines[1], "svctl: serve: listening on http://0.0.0.0:") {
		t.Errorf("stderr: %q", p.Stderr.String())
	}
	p.Signal(syscall.SIGTERM)
	if code := p.Wait(t, svtest.Deadline); code != 0 {
		t.Errorf("after TERM: exit %d, stderr %q", code, p.Stderr.String())
	}
	// svctl serve is svctl-serve in svctl's place (exec): one process.
	p, _ = startProgram(t, dir)
	exe, err := os.Readlink("/proc/" + strconv.Itoa(p.Pid()) + "/exe")
	if err != nil || filepath.Base(exe) != "svctl-serve" {
		t.Errorf("svctl serve runs as %q (%v)", exe, err)
	}
	if strings.Contains(p.Stderr.String(), "warning") {
		t.Errorf("a warning on loopback: %q", p.Stderr.String())
	}
	p.Signal(syscall.SIGINT)
	if code := p.Wait(t, svtest.Deadline); code != 0 {
		t.Errorf("after INT: exit %d", code)
	}
}

// examples/serve runs: its run starts svctl serve, its log/run keeps what
// it says, and it shows itself. (The copy scans a temporary directory, on
// a free port.)
func TestExampleService(t *testing.T) {
	t.Parallel()
	root, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	scan := t.TempDir()
	files := map[string]string{}
	for _, name := range []string{"run", "log/run"} {
		b, err := os.ReadFile(filepath.Join(root, "examples/serve", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(b)
	}
	run := files["run"]
	delete(files, "run")
	if !strings.Contains(run, "exec svctl serve /etc/service\n") {
		t.Fatalf("examples/serve/run: %q", run)
	}
	run = strings.Replace(run, "svctl serve /etc/service", "svctl serve --listen 127.0.0.1:0 "+scan, 1)
	startService(t, testutil.Bin(t, "supervise"), scan, "svctl-serve", run, files, true)
	current := filepath.Join(scan, "svctl-serve/log/main/current")
	var url string
	testutil.Eventually(t, svtest.Deadline, "its log to say where it listens", func() (bool, string) {
		b, _ := os.ReadFile(current)
		_, after, ok := strings.Cut(string(b), " svctl: serve: listening on ")
		url, _, ok = strings.Cut(after, "/\n")
		return ok, string(b)
	})
	testutil.Eventually(t, svtest.Deadline, "it to show itself up", func() (bool, string) {
		r, err := client.Get(url + "/api/services")
		if err != nil {
			return false, err.Error()
		}
		defer r.Body.Close()
		var doc struct{ Services []apiService }
		if err := json.NewDecoder(r.Body).Decode(&doc); err != nil {
			return false, err.Error()
		}
		ok := len(doc.Services) == 1 && doc.Services[0].Name == "svctl-serve" && doc.Services[0].State == "up" &&
			doc.Services[0].Logger != nil && doc.Services[0].Logger.State == "up" && len(doc.Services[0].Log) == 1
		return ok, fmt.Sprintf("%+v", doc.Services)
	})
}
