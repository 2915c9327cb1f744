package serve

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

const secret = "SECRET-4f1c9a: this must never be served"

// A server bound to loopback answers only requests that name a loopback
// host: a DNS rebinding page keeps its own name in Host.
func TestHostHeader(t *testing.T) {
	t.Parallel()
	scan := t.TempDir()
	fakeService(t, filepath.Join(scan, "web"), svstate.Record{State: svstate.Up, Pid: 4242})
	ts := startServer(t, "", scan)
	_, port, _ := net.SplitHostPort(ts.addr)
	for _, c := range []struct {
		host string
		ok   bool
	}{
		{"", true}, // the address itself
		{"localhost", true},
		{"localhost:" + port, true},
		{"LocalHost.:" + port, true},
		{"dashboard.localhost:" + port, true},
		{"127.0.0.1", true},
		{"127.0.0.2:8080", true}, // a port forwarded elsewhere
		{"[::1]:" + port, true},
		{"[::ffff:127.0.0.1]:" + port, true},
		{"evil.example", false},
		{"evil.example:" + port, false},
		{"127.0.0.1.nip.io:" + port, false},
		{"localhost.evil.example", false},
		{"10.0.0.1:" + port, false},
		{"[fe80::1%25lo]:" + port, false},
		{"0.0.0.0:" + port, false},
	} {
		for _, path := range []string{"/", "/metrics", "/api/services", "/api/events", "/app.js"} {
			if !c.ok || path == "/" || path == "/metrics" {
				r := ts.get(t, path, c.host)
				if c.ok && r.code != http.StatusOK || !c.ok && r.code != http.StatusMisdirectedRequest {
					t.Errorf("GET %s, Host %q: %d", path, c.host, r.code)
				}
				if !c.ok && strings.Contains(r.body, "web") {
					t.Errorf("GET %s, Host %q: %q", path, c.host, r.body)
				}
			}
		}
	}
	// HTTP/1.0 without a Host header.
	if got := raw(t, ts.addr, "GET /api/services HTTP/1.0\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.0 421 ") {
		t.Errorf("no Host: %.100q", got)
	}
	// An absolute request target names the host.
	if got := raw(t, ts.addr, "GET http://evil.example/api/services HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 421 ") {
		t.Errorf("absolute target: %.100q", got)
	}
}

// raw sends req on a new connection and returns what comes back until the
// server closes it or a second passes.
func raw(t testing.TB, addr, req string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(svtest.Deadline)) //nolint:errcheck
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(bufio.NewReader(io.LimitReader(c, 1<<20))) // until the server closes
	return string(b)
}

// Bound to another address, the server serves any Host.
func TestHostAnyWhenNotLoopback(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "0.0.0.0:0", t.TempDir())
	if ts.s.loopback {
		t.Fatal("0.0.0.0 taken for loopback")
	}
	_, port, _ := net.SplitHostPort(ts.addr)
	ts.url = "http://127.0.0.1:" + port
	if r := ts.get(t, "/api/services", "dashboard.example.com"); r.code != http.StatusOK {
		t.Errorf("Host dashboard.example.com: %d", r.code)
	}
}

// No request path reaches a file: paths are matched exactly, whatever
// their dots, slashes or escapes, and the files of a service are read
// without following symbolic links out of it.
func TestPaths(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	scan := filepath.Join(top, "scan")
	outside := filepath.Join(top, "outside")
	writeFile(t, outside, "secret.txt", secret+"\n")
	writeFile(t, outside, "log/main/current", secret+"\n")
	fakeService(t, filepath.Join(scan, "web"), svstate.Record{State: svstate.Up, Pid: 4242})
	// Symbolic links out of the scan directory: to a file (not a service)
	// and, inside a service, where its log and its state would be.
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(scan, "leak")); err != nil {
		t.Fatal(err)
	}
	fakeService(t, filepath.Join(scan, "links"), svstate.Record{State: svstate.Up, Pid: 4343})
	writeFile(t, filepath.Join(scan, "links"), "log/main/@400000006b0525e205d8b24c.s", "")
	for _, l := range [][2]string{
		{filepath.Join(outside, "secret.txt"), filepath.Join(scan, "links", "log/main/current")},
		{filepath.Join(outside, "secret.txt"), filepath.Join(scan, "links", "log/main/previous")},
		{filepath.Join(outside, "secret.txt"), filepath.Join(scan, "links", "log/main/@400000006b0525e205d8b24d.s")},
		{filepath.Join(outside, "secret.txt"), filepath.Join(scan, "links", "log/supervise/state.json")},
	} {
		os.MkdirAll(filepath.Dir(l[1]), 0o755) //nolint:errcheck // Symlink tells
		if err := os.Symlink(l[0], l[1]); err != nil {
			t.Fatal(err)
		}
	}
	ts := startServer(t, "", scan)
	for _, path := range []string{
		"/..", "/../", "/../outside/secret.txt", "/%2e%2e/outside/secret.txt", "/%2E%2E%2Foutside%2Fsecret.txt",
		"/.%2e/.%2e/outside/secret.txt", "//outside/secret.txt", "///etc/passwd", "/leak", "/web", "/web/run",
		"/api/services/web", "/api/services/../../outside/secret.txt", "/api/services/%2e%2e%2f%2e%2e%2foutside%2fsecret.txt",
		"/api/services/..%2f..%2fleak", "/app.js/../../leak", "/web/index.html", "/index.html", "/static/../leak",
		"/%00", "/api/services%00", "/metrics/../leak", "/./app.js", "/app.js/", "/..%5c..%5cleak", "/?file=../leak",
		"/" + strings.Repeat("../", 100) + "etc/passwd",
	} {
		r := rawGet(t, ts.addr, path)
		if strings.Contains(r.body, "SECRET") || strings.Contains(r.body, "root:") {
			t.Errorf("GET %s: %d, served a file: %.200q", path, r.code, r.body)
		}
		if r.code != http.StatusNotFound && r.code != http.StatusBadRequest && path != "/?file=../leak" {
			t.Errorf("GET %s: %d, want 404", path, r.code)
		}
	}
	// Queries are ignored: no parameter names a file.
	for _, path := range []string{"/api/services?dir=../outside", "/api/services?service=../../outside&log=../outside/secret.txt",
		"/metrics?name[]=../leak", "/api/events?x=/etc/passwd"} {
		var r response
		if strings.HasPrefix(path, "/api/events") {
			r = response{code: 200, body: firstEvent(t, ts, path)}
		} else {
			r = ts.get(t, path, "")
		}
		if r.code != http.StatusOK || strings.Contains(r.body, "SECRET") {
			t.Errorf("GET %s: %d %.200q", path, r.code, r.body)
		}
	}
	doc := ts.get(t, "/api/services", "").body
	if strings.Contains(doc, "SECRET") || strings.Contains(doc, `"name":"leak"`) {
		t.Errorf("/api/services shows what is outside: %s", doc)
	}
	// The log's files are not read through their links.
	var d struct{ Services []apiService }
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Services) != 2 || d.Services[0].Name != "links" || d.Services[0].LogError == "" || d.Services[0].Logger == nil {
		t.Errorf("links: %+v", d.Services)
	}
}

// rawGet sends GET path exactly as given, Host localhost.
func rawGet(t testing.TB, addr, path string) response {
	t.Helper()
	got := raw(t, addr, "GET "+path+" HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(strings.NewReader(got)), nil)
	if err != nil {
		t.Fatalf("GET %s: %v: %.200q", path, err, got)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, string(b)}
}

// firstEvent reads the first event of the stream at path.
func firstEvent(t testing.TB, ts *testServer, path string) string {
	t.Helper()
	res, err := streams.Get(ts.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	ev, err := readEvent(bufio.NewReader(res.Body))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ev.data
}

// event is a server-sent event.
type event struct{ name, data string }

// readEvent reads the next event with data.
func readEvent(r *bufio.Reader) (event, error) {
	var ev event
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" && ev.data != "":
			return ev, nil
		case strings.HasPrefix(line, "event: "):
			ev.name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			ev.data += line[len("data: "):]
		}
	}
}

// Methods, oversized headers, the security headers of every response.
func TestRequests(t *testing.T) {
	t.Parallel()
	scan := t.TempDir()
	fakeService(t, filepath.Join(scan, "web"), svstate.Record{State: svstate.Up, Pid: 4242})
	ts := startServer(t, "", scan)
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"} {
		for _, path := range []string{"/", "/api/services", "/metrics"} {
			got := raw(t, ts.addr, m+" "+path+" HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nConnection: close\r\n\r\nu")
			if !strings.HasPrefix(got, "HTTP/1.1 405 ") || !strings.Contains(got, "\r\nAllow: GET, HEAD\r\n") {
				t.Errorf("%s %s: %.200q", m, path, got)
			}
		}
	}
	if got := raw(t, ts.addr, "HEAD /api/events HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 405 ") {
		t.Errorf("HEAD /api/events: %.200q", got)
	}
	// Headers beyond the limit: 431, and the server goes on.
	big := "GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: " + strings.Repeat("a", 64<<10) + "\r\n\r\n"
	if got := raw(t, ts.addr, big); !strings.HasPrefix(got, "HTTP/1.1 431 ") {
		t.Errorf("64 KiB of headers: %.200q", got)
	}
	many := "GET / HTTP/1.1\r\nHost: localhost\r\n" + strings.Repeat("X-A: b\r\n", 4000) + "\r\n"
	if got := raw(t, ts.addr, many); !strings.HasPrefix(got, "HTTP/1.1 431 ") {
		t.Errorf("4000 headers: %.200q", got)
	}
	for _, path := range []string{"/", "/app.js", "/style.css", "/icon.svg", "/api/services", "/metrics", "/nothing"} {
		r := ts.get(t, path, "")
		h := r.header
		if !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") ||
			strings.Contains(h.Get("Content-Security-Policy"), "unsafe") ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s: headers %v", path, h)
		}
		if strings.HasPrefix(path, "/api") || path == "/metrics" {
			if h.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: Cache-Control %q", path, h.Get("Cache-Control"))
			}
		}
	}
	// The page revalidates its files.
	r := ts.get(t, "/app.js", "")
	if r.code != 200 || r.header.Get("ETag") == "" || r.header.Get("Content-Type") != "text/javascript; charset=utf-8" {
		t.Fatalf("/app.js: %d %v", r.code, r.header)
	}
	req, _ := http.NewRequest("GET", ts.url+"/app.js", nil)
	req.Header.Set("If-None-Match", r.header.Get("ETag"))
	res, err := client.Do(req)
	if err != nil || res.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %v %v", res, err)
	}
	if res != nil {
		res.Body.Close()
	}
	// The page loads nothing from elsewhere, and no inline code.
	page := ts.get(t, "/", "").body
	for _, bad := range []string{"http://", "https://", "<script>", "style=", "onclick", "onload"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
}

// What the server cannot read it shows as unknown, and it never blocks:
// a status file of 7 bytes, a state.json of garbage, a service directory
// of 10,000 entries, a log with a 10 MB line, a FIFO as the log's current
// file or as supervise/ok's target, a scan directory that disappears.
func TestBadInput(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	scan, gone := filepath.Join(top, "scan"), filepath.Join(top, "gone")
	dir := func(name string) string { return filepath.Join(scan, name) }
	fakeService(t, dir("seven"), svstate.Record{State: svstate.Up, Pid: 4242})
	writeFile(t, dir("seven"), layout.Status, "1234567")
	fakeService(t, dir("junk"), svstate.Record{State: svstate.Up, Pid: 4243})
	writeFile(t, dir("junk"), layout.State, "\x00\xff{garbage")
	fakeService(t, dir("many"), svstate.Record{State: svstate.Up, Pid: 4244})
	for i := range 10000 {
		if err := os.WriteFile(filepath.Join(dir("many"), fmt.Sprintf("file%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fakeService(t, dir("bigline"), svstate.Record{State: svstate.Up, Pid: 4245})
	fakeService(t, dir("bigline/log"), svstate.Record{State: svstate.Up, Pid: 4246})
	writeFile(t, dir("bigline"), "log/main/current", "@400000006b0525e205d8b24c first\n"+
		"@400000006b0525e205d8b24d "+strings.Repeat("x", 10<<20)+"\n@400000006b0525e205d8b24e last\n")
	fakeService(t, dir("fifolog"), svstate.Record{State: svstate.Up, Pid: 4247})
	fakeService(t, dir("fifolog/log"), svstate.Record{State: svstate.Up, Pid: 4248})
	os.MkdirAll(dir("fifolog/log/main"), 0o755) //nolint:errcheck // Mkfifo tells
	if err := unix.Mkfifo(dir("fifolog/log/main/current"), 0o600); err != nil {
		t.Fatal(err)
	}
	// supervise/ok: a regular file, or a link to a FIFO that has a reader.
	fakeService(t, dir("okfile"), svstate.Record{State: svstate.Up, Pid: 4249})
	os.Remove(dir("okfile/supervise/ok")) //nolint:errcheck // WriteFile tells
	writeFile(t, dir("okfile"), layout.OK, "")
	fakeService(t, dir("oklink"), svstate.Record{State: svstate.Up, Pid: 4250})
	os.Remove(dir("oklink/supervise/ok")) //nolint:errcheck // Symlink tells
	if err := os.Symlink(dir("many/supervise/ok"), dir("oklink/supervise/ok")); err != nil {
		t.Fatal(err)
	}
	fakeService(t, filepath.Join(gone, "other"), svstate.Record{State: svstate.Up, Pid: 4251})
	ts := startServer(t, "", scan, gone)

	check := func(wantGone bool) map[string]apiService {
		t.Helper()
		start := time.Now()
		r := ts.get(t, "/api/services", "")
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("/api/services took %v", d)
		}
		var doc struct {
			Scan     []scanResult
			Services []apiService
		}
		if err := json.Unmarshal([]byte(r.body), &doc); err != nil || r.code != 200 {
			t.Fatalf("%d %v %.300q", r.code, err, r.body)
		}
		if len(r.body) > 64<<10 {
			t.Errorf("/api/services: %d bytes", len(r.body))
		}
		by := map[string]apiService{}
		for _, s := range doc.Services {
			by[s.Name] = s
		}
		if e := doc.Scan[1].Error; wantGone != (e == "unable to read directory: file does not exist") {
			t.Errorf("scan %+v", doc.Scan)
		}
		if _, ok := by["other"]; ok == wantGone {
			t.Errorf("other: %v", ok)
		}
		if m, _ := ts.scrape(t); len(m["daemontools_service_supervised"]) != len(by)+2 { // two loggers
			t.Errorf("metrics: %v for %d services", m["daemontools_service_supervised"], len(by))
		}
		return by
	}
	by := check(false)
	if s := by["seven"]; s.Source != "" || !s.Supervised || s.Error != "bad format" {
		t.Errorf("seven: %+v", s)
	}
	if s := by["junk"]; s.Source != svstate.FromRecord || s.State != "up" || s.Pid != 4243 {
		t.Errorf("junk: %+v", s)
	}
	if s := by["many"]; s.Source != svstate.FromState || s.State != "up" {
		t.Errorf("many: %+v", s)
	}
	if s := by["bigline"]; len(s.Log) != 3 || !strings.HasSuffix(s.Log[0], " first") || !strings.HasSuffix(s.Log[2], " last") ||
		len(s.Log[1]) != maxText-len("…")+len("…") || !strings.HasSuffix(s.Log[1], "xx…") {
		t.Errorf("bigline: %d lines, %q", len(s.Log), s.Log)
	}
	if s := by["fifolog"]; s.LogError != "unable to read "+dir("fifolog/log/main")+": current is not a regular file" || s.Log != nil {
		t.Errorf("fifolog: %q %q", s.Log, s.LogError)
	}
	if s := by["okfile"]; s.Supervised {
		t.Errorf("okfile: supervised")
	}
	if s := by["oklink"]; s.Supervised {
		t.Errorf("oklink: supervised through a link")
	}
	if err := os.RemoveAll(gone); err != nil {
		t.Fatal(err)
	}
	check(true)
	fakeService(t, filepath.Join(gone, "other"), svstate.Record{State: svstate.Up, Pid: 4251})
	check(false)
}

// The scan follows svscan: dot names skipped, symlinks to directories
// followed, files skipped, log/ as a logger; a name found again in a
// later scan directory is named by its path.
func TestScan(t *testing.T) {
	t.Parallel()
	top := t.TempDir()
	a, b := filepath.Join(top, "a"), filepath.Join(top, "b")
	for _, d := range []string{"a/web", "a/.hidden", "a/db/log", "b/web", "b/cron", "elsewhere/linked"} {
		if err := os.MkdirAll(filepath.Join(top, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, a, "file", "")
	os.Symlink(filepath.Join(top, "elsewhere/linked"), filepath.Join(a, "linked")) //nolint:errcheck
	os.Symlink(filepath.Join(top, "nowhere"), filepath.Join(a, "dangling"))        //nolint:errcheck
	os.Symlink(filepath.Join(a, "file"), filepath.Join(a, "tofile"))               //nolint:errcheck
	ss, res := scan([]string{a, b, filepath.Join(top, "c")})
	var got []string
	for _, s := range ss {
		got = append(got, s.name+"="+strings.TrimPrefix(s.dir, top))
	}
	want := "db=/a/db linked=/a/linked web=/a/web cron=/b/cron " + b + "/web=/b/web"
	if strings.Join(got, " ") != want {
		t.Errorf("scan: %q\nwant %q", strings.Join(got, " "), want)
	}
	if res[0].Error != "" || res[1].Error != "" || res[2].Error != "unable to read directory: file does not exist" {
		t.Errorf("results %+v", res)
	}
	p := probeAll(ss, res, time.Now(), nil)
	for _, q := range p.services {
		if q.log != (q.name == "db") {
			t.Errorf("%s: log %v", q.name, q.log)
		}
	}
}

// A thousand clients at once, some of them event streams: every one gets
// an answer, the server keeps answering, its memory stays bounded. The
// server is the real program (svctl serve), measured from outside.
func TestManyClients(t *testing.T) {
	t.Parallel()
	scan := t.TempDir()
	for i := range 200 {
		fakeService(t, filepath.Join(scan, fmt.Sprintf("s%03d", i)), svstate.Record{State: svstate.Up, Pid: 5000 + i})
	}
	p, url := startProgram(t, scan)
	tr := &http.Transport{DisableKeepAlives: true, MaxConnsPerHost: 0}
	c := &http.Client{Transport: tr, Timeout: time.Minute}
	const n = 1000
	codes := make(chan string, n)
	for i := range n {
		go func() {
			path := []string{"/api/services", "/metrics", "/", "/app.js", "/api/events"}[i%5]
			res, err := c.Get(url + path)
			if err != nil {
				codes <- path + ": " + err.Error()
				return
			}
			defer res.Body.Close()
			if path == "/api/events" && res.StatusCode == 200 {
				_, err := readEvent(bufio.NewReader(res.Body)) // then hang up
				codes <- fmt.Sprint(path, " ", res.StatusCode, " ", err)
				return
			}
			_, err = io.Copy(io.Discard, res.Body)
			codes <- fmt.Sprint(path, " ", res.StatusCode, " ", err)
		}()
	}
	count := map[string]int{}
	for range n {
		select {
		case c := <-codes:
			count[c]++
		case <-time.After(2 * time.Minute):
			t.Fatalf("no answer to some clients; so far %v", count)
		}
	}
	for k, v := range count {
		if !strings.HasSuffix(k, " 200 <nil>") && !strings.HasSuffix(k, " 503 <nil>") {
			t.Errorf("%d× %s", v, k)
		}
	}
	t.Logf("answers: %v", count)
	if r, err := client.Get(url + "/api/services"); err != nil || r.StatusCode != 200 {
		t.Errorf("afterwards: %v %v", r, err)
	} else {
		r.Body.Close()
	}
	hwm := procStatus(t, p.Pid(), "VmHWM")
	t.Logf("peak RSS %d KiB", hwm)
	if hwm > 256<<10 {
		t.Errorf("peak RSS %d KiB", hwm)
	}
}

// startProgram runs svctl serve over dirs on a free loopback port and
// returns it and its URL.
func startProgram(t testing.TB, dirs ...string) (*testutil.Proc, string) {
	t.Helper()
	args := append([]string{"serve", "--listen", "127.0.0.1:0"}, dirs...)
	p := testutil.Start(t, testutil.Options{}, testutil.Bin(t, "svctl"), args...)
	var url string
	testutil.Eventually(t, svtest.Deadline, "svctl serve to listen", func() (bool, string) {
		if p.Exited() {
			t.Fatalf("svctl serve exited: %q", p.Stderr.String())
		}
		_, after, ok := strings.Cut(p.Stderr.String(), "svctl: serve: listening on ")
		url, _, ok = strings.Cut(after, "/\n")
		return ok, p.Stderr.String()
	})
	return p, url
}

// procStatus reads a "Field: N kB" line of /proc/PID/status.
func procStatus(t testing.TB, pid int, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var n int
			fmt.Sscanf(strings.TrimSpace(v), "%d", &n) //nolint:errcheck // 0 fails the caller
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}
