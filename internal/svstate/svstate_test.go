package svstate

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/status"
	"github.com/daemontools-go/daemontools/internal/tai64"
)

func full() *Record {
	return &Record{
		Service: "web \"1\"\n\x01<x>\xff é", State: Up, Pid: 4242, Pgid: 4242,
		Since: time.Date(2026, 12, 7, 20, 41, 18, 123456789, time.UTC).UnixNano(),
		Want:  WantUp, Normally: WantDown, Paused: true, Ready: true,
		ReadySince: time.Date(2026, 12, 7, 20, 41, 19, 0, time.UTC).UnixNano(),
		Restarts:   3, HasExit: true, ExitCode: -1, ExitSignal: 9, ExitCore: true,
		ExitAt:       time.Date(2026, 12, 7, 20, 41, 17, 5, time.UTC).UnixNano(),
		ExitRanMs:    1500,
		BackoffUntil: 0, StartError: "unable to start run: access denied", HasStatus: true, StatusText: "",
	}
}

// The document has exactly the keys of the issue, and encoding/json reads
// back what was written.
func TestRoundTrip(t *testing.T) {
	b := AppendJSON(nil, full())
	if !bytes.HasSuffix(b, []byte("}\n")) || bytes.Count(b, []byte("\n")) != 1 {
		t.Fatalf("not one line: %q", b)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	var names []string
	for k := range keys {
		names = append(names, k)
	}
	sort.Strings(names)
	want := []string{"backoff_until", "last_exit", "normally", "paused", "pgid", "pid", "ready", "ready_since",
		"restarts", "service", "since", "start_error", "state", "status_text", "version", "want"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("keys %v\nwant %v", names, want)
	}
	var d Doc
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	r := full()
	if d.Version != 1 || d.Service != "web \"1\"\n\x01<x>\ufffd é" || d.State != Up || d.Pid != 4242 || d.Pgid != 4242 ||
		d.Since.UnixNano() != r.Since || d.Want != WantUp || d.Normally != WantDown || !d.Paused || !d.Ready ||
		d.ReadySince == nil || d.ReadySince.UnixNano() != r.ReadySince || d.Restarts != 3 || d.BackoffUntil != nil ||
		d.StartError == nil || *d.StartError != r.StartError || d.StatusText == nil || *d.StatusText != "" {
		t.Errorf("decoded %+v", d)
	}
	e := d.LastExit
	if e == nil || e.Code != nil || e.Signal == nil || *e.Signal != 9 || !e.Core || e.At.UnixNano() != r.ExitAt || e.RanMs != 1500 {
		t.Errorf("last_exit %+v", e)
	}
	if !bytes.Contains(b, []byte(`"since":"2026-12-07T20:41:18.123456789Z"`)) {
		t.Errorf("since not RFC 3339 with nanoseconds: %s", b)
	}
	// Nulls.
	b = AppendJSON(nil, &Record{Service: "s", State: Down, Want: WantOnce, Normally: WantUp, ExitCode: -1, ExitSignal: -1})
	d = Doc{}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if d.LastExit != nil || d.ReadySince != nil || d.BackoffUntil != nil || d.StartError != nil || d.StatusText != nil {
		t.Errorf("nulls: %s", b)
	}
}

func TestAppendAllocatesNothing(t *testing.T) {
	r := full()
	buf := make([]byte, 0, 1024)
	if n := testing.AllocsPerRun(100, func() { buf = AppendJSON(buf[:0], r) }); n != 0 {
		t.Errorf("%v allocations per document", n)
	}
}

func serviceDir(t *testing.T, st status.Status, state string, down bool) string {
	dir := filepath.Join(t.TempDir(), "svc")
	if err := os.MkdirAll(filepath.Join(dir, layout.SuperviseDir), 0o700); err != nil {
		t.Fatal(err)
	}
	b := st.Encode()
	os.WriteFile(filepath.Join(dir, layout.Status), b[:], 0o644)
	if state != "" {
		os.WriteFile(filepath.Join(dir, layout.State), []byte(state), 0o644)
	}
	if down {
		os.WriteFile(filepath.Join(dir, layout.Down), nil, 0o644)
	}
	return dir
}

func TestProbe(t *testing.T) {
	when := tai64.FromUnix(1_800_000_000, 5)
	up := status.Status{When: when, Pid: 77, Want: status.WantUp}
	ours := string(AppendJSON(nil, &Record{Service: "svc", State: Up, Pid: 77, Want: WantUp, Normally: WantUp,
		Restarts: 4, ExitCode: -1, ExitSignal: -1}))

	s := Probe(serviceDir(t, up, ours, true))
	if s.Source != FromState || s.Doc.Restarts != 4 || s.Doc.Normally != WantDown || s.Supervised {
		t.Errorf("state.json: %+v", s)
	}
	// Stale (another pid, written long ago), garbage, absent: the record
	// speaks.
	other := string(AppendJSON(nil, &Record{Pid: 12, Want: WantUp, ExitCode: -1, ExitSignal: -1}))
	for name, state := range map[string]string{"stale": other, "garbage": "{\x00not json", "absent": ""} {
		dir := serviceDir(t, up, state, false)
		old := time.Now().Add(-time.Minute)
		os.Chtimes(filepath.Join(dir, layout.State), old, old)
		s := Probe(dir)
		if s.Source != FromRecord || s.Doc.State != Up || s.Doc.Pid != 77 || !s.Doc.Ready || s.Doc.Want != WantUp ||
			s.Doc.Normally != WantUp || s.Doc.Since.Unix() != 1_800_000_000 || s.Doc.Service != "svc" {
			t.Errorf("%s: %+v", name, s)
		}
	}
	// Being replaced (written just now, disagreeing): the record's pid,
	// but no readiness claimed.
	if s := Probe(serviceDir(t, up, other, false)); s.Source != FromRecord || s.Doc.Pid != 77 || s.Doc.Ready || s.Doc.ReadySince != nil {
		t.Errorf("being replaced: %+v", s)
	}
	down := Probe(serviceDir(t, status.Status{When: when, Want: 0}, "", false))
	if down.Doc.State != Down || down.Doc.Ready || down.Doc.ReadySince != nil || down.Doc.Want != WantOnce {
		t.Errorf("down: %+v", down.Doc)
	}
	// A longer record (runit's 20 bytes) is read as svstat reads it.
	runit := serviceDir(t, up, "", false)
	b := up.Encode()
	os.WriteFile(filepath.Join(runit, layout.Status), append(b[:], 0, 1), 0o644)
	if s := Probe(runit); s.Source != FromRecord || s.Doc.Pid != 77 || s.Doc.State != Up {
		t.Errorf("20-byte status: %+v", s)
	}
	// A short record, a missing directory: an error, no document.
	dir := serviceDir(t, up, "", false)
	os.WriteFile(filepath.Join(dir, layout.Status), []byte("1234567"), 0o644)
	if s := Probe(dir); s.Source != "" || s.Err == nil {
		t.Errorf("7-byte status: %+v", s)
	}
	if s := Probe(filepath.Join(t.TempDir(), "nope")); s.Source != "" || s.Err == nil {
		t.Errorf("missing: %+v", s)
	}
}

// The --json object is the state.json keys plus dir, supervised, source.
func TestStatusJSON(t *testing.T) {
	when := tai64.FromUnix(1_800_000_000, 5)
	dir := serviceDir(t, status.Status{When: when, Pid: 9, Want: status.WantUp}, "", false)
	b, err := json.Marshal(Probe(dir).Status())
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if m["dir"] != dir || m["supervised"] != false || m["source"] != FromRecord || m["pid"] != 9.0 || m["state"] != Up {
		t.Errorf("%s", b)
	}
	if _, ok := m["error"]; ok {
		t.Errorf("error key without an error: %s", b)
	}
	b, _ = json.Marshal(Probe(filepath.Join(dir, "nope")).Status())
	if !bytes.Contains(b, []byte(`"error":"file does not exist"`)) {
		t.Errorf("missing dir: %s", b)
	}
}

// Supervised is the FIFO supervise/ok with a reader: not a link to one
// (never followed: a link to a device would be opened for writing), not a
// regular file.
func TestSupervisedOnlyThroughTheFIFO(t *testing.T) {
	up := status.Status{When: tai64.FromUnix(1_800_000_000, 5), Pid: 77, Want: status.WantUp}
	live := serviceDir(t, up, "", false)
	ok := filepath.Join(live, layout.OK)
	if err := unix.Mkfifo(ok, 0o600); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Open(ok, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	if s := Probe(live); !s.Supervised {
		t.Fatalf("a FIFO with a reader: %+v", s)
	}
	link := serviceDir(t, up, "", false)
	if err := os.Symlink(ok, filepath.Join(link, layout.OK)); err != nil {
		t.Fatal(err)
	}
	file := serviceDir(t, up, "", false)
	os.WriteFile(filepath.Join(file, layout.OK), nil, 0o644) //nolint:errcheck // Probe tells
	for name, dir := range map[string]string{"link": link, "file": file} {
		if s := Probe(dir); s.Supervised || s.Source != FromRecord {
			t.Errorf("%s: %+v", name, s)
		}
	}
}

// ProbeIn reads what ProbeAt reads, through a path relative to a
// directory instead of a descriptor of the service directory.
func TestProbeIn(t *testing.T) {
	up := status.Status{When: tai64.FromUnix(1_800_000_000, 5), Pid: 77, Want: status.WantUp}
	ours := string(AppendJSON(nil, &Record{Service: "svc", State: Up, Pid: 77, Want: WantUp, Normally: WantUp,
		Restarts: 4, ExitCode: -1, ExitSignal: -1}))
	dir := serviceDir(t, up, ours, true)
	parent, err := unix.Open(filepath.Dir(dir), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(parent)
	now := time.Now()
	want := Probe(dir)
	for name, got := range map[string]Service{
		"AT_FDCWD": ProbeIn(unix.AT_FDCWD, dir, dir, now),
		"parent":   ProbeIn(parent, filepath.Base(dir), dir, now),
	} {
		if !reflect.DeepEqual(got, want) || got.Source != FromState || got.Doc.Restarts != 4 || got.Doc.Normally != WantDown {
			t.Errorf("%s: %+v\nwant %+v", name, got, want)
		}
	}
	if s := ProbeIn(parent, "missing", "missing", now); !errors.Is(s.Err, unix.ENOENT) || s.Source != "" || s.Supervised {
		t.Errorf("missing: %+v", s)
	}
	os.WriteFile(filepath.Join(filepath.Dir(dir), "file"), nil, 0o644) //nolint:errcheck // ProbeIn tells
	if s := ProbeIn(parent, "file", "file", now); !errors.Is(s.Err, unix.ENOTDIR) {
		t.Errorf("a file: %+v", s)
	}
}

// Decode's scanner reads what AppendJSON writes as encoding/json does;
// anything else goes to encoding/json.
func TestDecode(t *testing.T) {
	recs := []*Record{full(), {Service: "s", State: Down, Want: WantOnce, Normally: WantUp, ExitCode: -1, ExitSignal: -1},
		{Service: "plain", State: Backoff, Pid: 0, Since: 1, Want: WantUp, Normally: WantUp, HasExit: true, ExitCode: 3,
			ExitSignal: -1, ExitAt: 5, BackoffUntil: 1_800_000_000_000_000_000, StartError: "unable to start run: access denied",
			HasStatus: true, StatusText: "warming up"}}
	for i, r := range recs {
		b := AppendJSON(nil, r)
		var fast, slow Doc
		ok := fastDecode(b, &fast)
		if err := json.Unmarshal(b, &slow); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, slow) && ok {
			t.Errorf("%d: scanner %+v\nencoding/json %+v", i, fast, slow)
		}
		var d Doc
		if err := Decode(b, &d); err != nil || !reflect.DeepEqual(d, slow) {
			t.Errorf("%d: Decode %+v %v", i, d, err)
		}
		if i == 2 && !ok {
			t.Errorf("the scanner did not take a plain document: %s", b)
		}
	}
	// Other orders, spaces, unknown keys: encoding/json's.
	var d Doc
	if err := Decode([]byte(` {"state": "up", "version": 1, "pid": 7, "x": [1]} `), &d); err != nil || d.State != Up || d.Pid != 7 {
		t.Errorf("%+v %v", d, err)
	}
	if err := Decode([]byte(`{"version":1,`), &d); err == nil {
		t.Error("truncated document accepted")
	}
}

func BenchmarkDecode(b *testing.B) {
	doc := AppendJSON(nil, &Record{Service: "web", State: Up, Pid: 4242, Pgid: 4242, Since: 1_800_000_000_123_456_789,
		Want: WantUp, Normally: WantUp, Ready: true, ReadySince: 1_800_000_001_000_000_000, Restarts: 3, HasExit: true,
		ExitCode: 1, ExitSignal: -1, ExitAt: 1_799_999_999_000_000_000, ExitRanMs: 1500})
	b.Run("scanner", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var d Doc
			Decode(doc, &d)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var d Doc
			json.Unmarshal(doc, &d)
		}
	})
}
