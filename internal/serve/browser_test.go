package serve

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/daemontools-go/daemontools/internal/svstate"
	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// row is what the dashboard shows of a service.
type row struct {
	Name, State, Detail, Pid, For, Ready, Restarts, Exit, Error, Normally, Logger, Summary, Log, LogError string
	Hidden, Problem                                                                                       bool
}

const rowsJS = `[...document.querySelectorAll('#rows tr')].map((tr) => {
  const c = tr.cells;
  return {Name: c[0].textContent, State: tr.querySelector('.word').textContent,
    Detail: tr.querySelector('.detail').textContent, Pid: c[2].textContent, For: c[3].textContent,
    Ready: c[4].textContent, Restarts: c[5].textContent, Exit: c[6].textContent, Error: c[7].textContent,
    Normally: c[8].textContent, Logger: c[9].textContent, Summary: tr.querySelector('summary').textContent,
    Log: tr.querySelector('pre').textContent, LogError: tr.querySelector('span.error').textContent,
    Hidden: tr.hidden, Problem: tr.classList.contains('problem')};
})`

func (b *browser) rows() map[string]row {
	b.t.Helper()
	var rs []row
	b.eval(&rs, rowsJS)
	m := map[string]row{}
	for _, r := range rs {
		m[r.Name] = r
	}
	return m
}

// The dashboard in a real browser (headless Chromium): over the fixture's
// services it shows each one's state, pid, uptime, readiness, restarts,
// last exit, start error, down file, logger and log; it follows changes
// without reloading; the filter works; nothing breaks the page's CSP.
// DASHBOARD_PNG=path saves the screenshot (docs/dashboard.png).
func TestDashboardInBrowser(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("requires chromium (apt-get install chromium)")
	}
	f := newFixture(t)
	ts := startServer(t, "", f.scan)
	b := startBrowser(t, ts.url+"/", 1440, 820)
	b.waitTrue("the services", `document.querySelectorAll('#rows tr').length === 14 && document.querySelector('#conn').textContent === 'live'`)
	rows := b.rows()
	host, _ := os.Hostname()
	var title, summary string
	b.eval(&title, `document.title`)
	b.eval(&summary, `document.querySelector('#summary').textContent`)
	if title != "Services on "+host || !strings.HasPrefix(summary, "14 services: ") {
		t.Errorf("title %q, summary %q", title, summary)
	}
	clock := `\d\d:\d\d:\d\d`
	check := func(name, field, got, pattern string) {
		t.Helper()
		if !regexp.MustCompile(`^(?:` + pattern + `)$`).MatchString(got) {
			t.Errorf("%s: %s %q, want %s", name, field, got, pattern)
		}
	}
	for name, want := range map[string]row{
		fxUp:       {State: "up", Pid: `\d+`, For: `\d+s`, Ready: "ready", Restarts: "0", Normally: "up", Logger: `up \(pid \d+\)`, Summary: `.* GET /health 200 0\.4ms #\d+`},
		fxNotReady: {State: "up", Ready: "not ready", Logger: `up \(pid \d+\)`, Summary: `.* api: warming the cache`},
		fxPaused:   {State: "up", Detail: "paused", Ready: "ready", Logger: "none", Summary: "—"},
		fxBackoff:  {State: "backoff", Detail: "until " + clock, Pid: "", Exit: "exit 1 at " + clock, Summary: ".* mailer: fatal: unable to connect to smtp.example.com:25: connection refused"},
		fxOnce:     {State: "down", Exit: "exit 0 at " + clock, Normally: "down"},
		fxStopped:  {State: "down", Exit: "SIGTERM at " + clock, Normally: "up"},
		fxNoExec:   {Error: "unable to start .*"},
		fxRestarts: {State: "up", Restarts: "2", Exit: "exit 1 at " + clock},
		fxNoSup:    {State: "not supervised", Pid: "", For: "", Ready: "", Restarts: "", Exit: "", Normally: ""},
		fxBroken:   {State: "unknown", Detail: ".+", Pid: ""},
		fxJunkJSON: {State: "up", Pid: "4242", Ready: "—", Restarts: "—", Exit: "—"},
	} {
		got, ok := rows[name]
		if !ok {
			t.Errorf("no row %s", name)
			continue
		}
		for field, pat := range map[string][2]string{
			"state": {got.State, want.State}, "detail": {got.Detail, want.Detail}, "pid": {got.Pid, want.Pid},
			"for": {got.For, want.For}, "ready": {got.Ready, want.Ready}, "restarts": {got.Restarts, want.Restarts},
			"last exit": {got.Exit, want.Exit}, "start error": {got.Error, want.Error}, "normally": {got.Normally, want.Normally},
			"logger": {got.Logger, want.Logger}, "log": {got.Summary, want.Summary},
		} {
			if pat[1] != "" || field == "pid" && name == fxNoSup {
				check(name, field, pat[0], pat[1])
			}
		}
	}
	if f.debian {
		check(fxDebian, "ready", rows[fxDebian].Ready, "—")
		check(fxDebian, "restarts", rows[fxDebian].Restarts, "—")
	}
	// The log: the last lines with local readable times.
	lines := strings.Split(rows[fxRestarts].Log, "\n")
	if len(lines) < 3 || len(lines) > 20 {
		t.Errorf("web's log: %q", rows[fxRestarts].Log)
	}
	for _, l := range lines {
		check(fxRestarts, "log line", l, `\d{4}-\d\d-\d\d `+clock+`\.\d{6} [+-]\d{4} web: .*`)
	}
	for name, r := range rows {
		problem := map[string]bool{fxNotReady: true, fxBackoff: true, fxNoExec: true, fxNoSup: true, fxBroken: true}[name]
		if r.Problem != problem {
			t.Errorf("%s: problem %v", name, r.Problem)
		}
	}

	// The view of the screenshot: web's log open.
	b.eval(nil, `document.querySelectorAll('#rows tr').forEach((tr) => {
		if (tr.cells[0].textContent === 'web') tr.querySelector('details').open = true; }); true`)
	b.waitTrue("web's log open", `[...document.querySelectorAll('details')].some((d) => d.open)`)
	png := b.screenshot()
	if out := os.Getenv("DASHBOARD_PNG"); out != "" {
		if err := os.WriteFile(out, png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// Changes show without a reload.
	b.eval(nil, `window.marker = 'still here'; true`)
	svc := exec.Command(filepath.Join(binPathDir(t), "svc"), "-d", filepath.Join(f.scan, fxUp))
	if out, err := svc.CombinedOutput(); err != nil {
		t.Fatalf("svc -d: %v %s", err, out)
	}
	b.waitTrue("nginx down", `[...document.querySelectorAll('#rows tr')].some((tr) =>
		tr.cells[0].textContent === 'nginx' && tr.querySelector('.word').textContent === 'down')`)
	if err := os.Mkdir(filepath.Join(f.scan, "new-service"), 0o755); err != nil {
		t.Fatal(err)
	}
	b.waitTrue("a new row", `document.querySelectorAll('#rows tr').length === 15`)
	var same bool
	b.eval(&same, `window.marker === 'still here' && performance.getEntriesByType('navigation').length === 1`)
	if !same {
		t.Error("the page was reloaded")
	}
	names := func() []string {
		var n []string
		b.eval(&n, `[...document.querySelectorAll('#rows tr')].filter((tr) => !tr.hidden).map((tr) => tr.cells[0].textContent)`)
		return n
	}
	if n := names(); n[len(n)-1] != "worker" || n[0] != fxNotReady {
		t.Errorf("order: %q", n)
	}
	// The filter: words, negation, the problems.
	filter := func(words string, problems bool) {
		t.Helper()
		w, _ := json.Marshal(words)
		b.eval(nil, `(() => { const f = document.querySelector('#filter'); f.value = `+string(w)+`;
			f.dispatchEvent(new Event('input')); const p = document.querySelector('#problems');
			if (p.checked !== `+map[bool]string{true: "true", false: "false"}[problems]+`) p.click(); return true; })()`)
	}
	all := strings.Join(names(), " ")
	for _, c := range []struct {
		words    string
		problems bool
		want     string
	}{
		{"mail", false, "mailer"},
		{"BACK !rep", false, "backup mailer"}, // a name or a state ("reports" retries: backoff or down)
		{"down !backup !rep", false, "metrics-push nginx"},
		{"not", false, "new-service old-queue"},
		{"logger:up !post !cron !nginx", false, "api mailer web"},
		{"", true, "api broken mailer new-service old-queue reports"},
		{"m", true, "mailer"},
		{"", false, all},
	} {
		filter(c.words, c.problems)
		testutil.Eventually(t, svtest.Deadline, "filter "+c.words, func() (bool, string) {
			got := strings.Join(names(), " ")
			return got == c.want, got + ", want " + c.want
		})
	}
	filter("a", false)
	b.waitTrue("the count of rows shown", `/^\d+ of 15 shown$/.test(document.querySelector('#shown').textContent)`)
	if logs := b.logs.String(); logs != "" {
		t.Errorf("console: %s", logs)
	}
}

// binPathDir is the directory of our commands.
func binPathDir(t testing.TB) string { return strings.SplitN(binPath(t), ":", 2)[0] }

// 500 services: the page shows them all, filters them as one types, says
// when a scan directory is gone; its markup is labelled for assistive
// technology.
func TestDashboard500(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("requires chromium (apt-get install chromium)")
	}
	top := t.TempDir()
	scan, other := filepath.Join(top, "service"), filepath.Join(top, "other")
	fakeServices(t, scan, 500, false)
	fakeService(t, filepath.Join(other, "extra"), svstate.Record{State: svstate.Up, Pid: 99})
	ts := startServer(t, "", scan, other)
	b := startBrowser(t, ts.url+"/", 1280, 800)
	b.waitTrue("500 rows", `document.querySelectorAll('#rows tr').length === 501`)
	var loaded float64
	b.eval(&loaded, `performance.now()`)
	t.Logf("501 rows %.0f ms after the page began to load", loaded)
	var a11y map[string]bool
	b.eval(&a11y, `({
		lang: document.documentElement.lang === 'en',
		label: document.querySelector('label[for=filter]') !== null,
		caption: document.querySelector('#services caption').textContent.length > 0,
		colHeaders: [...document.querySelectorAll('#services thead th')].every((th) => th.scope === 'col'),
		rowHeaders: document.querySelectorAll('#rows th[scope=row]').length === 501,
		live: document.querySelector('#summary').getAttribute('aria-live') === 'polite',
		busy: document.querySelector('#services').getAttribute('aria-busy') === 'false',
		search: document.querySelector('[role=search] input[type=search]') !== null,
	})`)
	for k, ok := range a11y {
		if !ok {
			t.Errorf("markup: %s", k)
		}
	}
	var took float64
	b.eval(&took, `new Promise((done) => {
		const f = document.querySelector('#filter');
		const start = performance.now();
		f.value = 'service-04';
		f.dispatchEvent(new Event('input'));
		const check = () => {
			const shown = [...document.querySelectorAll('#rows tr')].filter((tr) => !tr.hidden).length;
			if (shown === 100) done(performance.now() - start); else setTimeout(check, 5);
		};
		check();
	})`)
	t.Logf("filtering 501 rows to 100: %.0f ms (80 of them the debounce)", took)
	if err := os.RemoveAll(other); err != nil {
		t.Fatal(err)
	}
	b.waitTrue("the missing directory said", `!document.querySelector('#scan-errors').hidden &&
		document.querySelector('#scan-errors').textContent.endsWith('other: unable to read directory: file does not exist') &&
		document.querySelectorAll('#rows tr').length === 500`)
}
