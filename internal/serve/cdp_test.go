package serve

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daemontools-go/daemontools/internal/svtest"
	"github.com/daemontools-go/daemontools/internal/testutil"
)

// chromium is the browser of the browser tests (Debian's package).
const chromium = "/usr/bin/chromium"

// browser is a headless Chromium driven through the DevTools protocol on
// a pipe (--remote-debugging-pipe: commands on its fd 3, answers on its
// fd 4, each a JSON message ended by a NUL byte), attached to one page.
type browser struct {
	t       testing.TB
	proc    *testutil.Proc
	w       *os.File
	mu      sync.Mutex
	id      int
	waiting map[int]chan cdpMessage
	session string
	logs    *testutil.Buffer // the page's console messages and exceptions
}

type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// startBrowser starts Chromium on a page of width × height pixels that
// shows url, or skips the test without Chromium.
func startBrowser(t testing.TB, url string, width, height int) *browser {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skip("requires chromium (apt-get install chromium)")
	}
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	resR, resW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	profile := t.TempDir()
	p := testutil.Start(t, testutil.Options{Files: []*os.File{cmdR, resW}, Env: append(os.Environ(), "HOME="+profile)},
		chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--remote-debugging-pipe", "--user-data-dir="+profile,
		fmt.Sprintf("--window-size=%d,%d", width, height), "about:blank")
	cmdR.Close()
	resW.Close()
	b := &browser{t: t, proc: p, w: cmdW, waiting: map[int]chan cdpMessage{}, logs: &testutil.Buffer{}}
	t.Cleanup(func() {
		b.send("Browser.close", nil, "") //nolint:errcheck // killed at cleanup anyway
		cmdW.Close()
		resR.Close()
	})
	go b.read(resR)
	var target struct{ TargetID string }
	b.call(&target, "Target.createTarget", map[string]any{"url": "about:blank"})
	var attached struct{ SessionID string }
	b.call(&attached, "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true})
	b.session = attached.SessionID
	b.call(nil, "Emulation.setDeviceMetricsOverride", map[string]any{"width": width, "height": height,
		"deviceScaleFactor": 1, "mobile": false})
	b.call(nil, "Runtime.enable", nil)
	b.call(nil, "Log.enable", nil)
	b.call(nil, "Page.enable", nil)
	b.call(nil, "Page.navigate", map[string]any{"url": url})
	return b
}

// read dispatches what the browser sends: answers to their callers,
// console messages and exceptions to logs.
func (b *browser) read(r *os.File) {
	br := bufio.NewReader(r)
	for {
		msg, err := br.ReadBytes(0)
		if err != nil {
			b.mu.Lock()
			for id, ch := range b.waiting {
				close(ch)
				delete(b.waiting, id)
			}
			b.waiting = nil
			b.mu.Unlock()
			return
		}
		var m cdpMessage
		if json.Unmarshal(msg[:len(msg)-1], &m) != nil {
			continue
		}
		switch {
		case m.ID != 0:
			b.mu.Lock()
			ch := b.waiting[m.ID]
			delete(b.waiting, m.ID)
			b.mu.Unlock()
			if ch != nil {
				ch <- m
			}
		case m.Method == "Runtime.consoleAPICalled" || m.Method == "Runtime.exceptionThrown" || m.Method == "Log.entryAdded":
			b.logs.Write(append(m.Params, '\n')) //nolint:errcheck // a buffer
		}
	}
}

// send sends a command and returns the channel of its answer.
func (b *browser) send(method string, params any, session string) (chan cdpMessage, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.waiting == nil {
		return nil, fmt.Errorf("the browser has gone")
	}
	b.id++
	msg, err := json.Marshal(map[string]any{"id": b.id, "method": method, "params": params, "sessionId": session})
	if err != nil {
		return nil, err
	}
	ch := make(chan cdpMessage, 1)
	b.waiting[b.id] = ch
	if _, err := b.w.Write(append(msg, 0)); err != nil {
		delete(b.waiting, b.id)
		return nil, err
	}
	return ch, nil
}

// call runs a command (on the page once attached) and decodes its result
// into res (unless nil); it fails the test on an error.
func (b *browser) call(res any, method string, params any) {
	b.t.Helper()
	if params == nil {
		params = map[string]any{}
	}
	ch, err := b.send(method, params, b.session)
	if err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	select {
	case m, ok := <-ch:
		switch {
		case !ok:
			b.t.Fatalf("%s: the browser has gone; stderr %q", method, b.proc.Stderr.String())
		case m.Error != nil:
			b.t.Fatalf("%s: %s", method, m.Error.Message)
		case res != nil:
			if err := json.Unmarshal(m.Result, res); err != nil {
				b.t.Fatalf("%s: %v", method, err)
			}
		}
	case <-time.After(svtest.Deadline):
		b.t.Fatalf("%s: no answer", method)
	}
}

// eval evaluates a JavaScript expression in the page and decodes its
// value into res.
func (b *browser) eval(res any, expr string) {
	b.t.Helper()
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails json.RawMessage `json:"exceptionDetails"`
	}
	b.call(&r, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	if r.ExceptionDetails != nil {
		b.t.Fatalf("%s: %s", expr, r.ExceptionDetails)
	}
	if res != nil {
		if err := json.Unmarshal(r.Result.Value, res); err != nil {
			b.t.Fatalf("%s: %v (%s)", expr, err, r.Result.Value)
		}
	}
}

// waitTrue waits until the expression is true in the page.
func (b *browser) waitTrue(what, expr string) {
	b.t.Helper()
	testutil.Eventually(b.t, svtest.Deadline, what, func() (bool, string) {
		var ok bool
		b.eval(&ok, "!!("+expr+")")
		return ok, "console: " + b.logs.String()
	})
}

// screenshot returns a PNG of the page.
func (b *browser) screenshot() []byte {
	b.t.Helper()
	var r struct{ Data []byte }
	b.call(&r, "Page.captureScreenshot", map[string]any{"format": "png"})
	if !strings.HasPrefix(string(r.Data), "\x89PNG") {
		b.t.Fatalf("not a PNG: %.20q", r.Data)
	}
	return r.Data
}
