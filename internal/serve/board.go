package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/internal/errstr"
	"github.com/daemontools-go/daemontools/internal/layout"
	"github.com/daemontools-go/daemontools/internal/logview"
	"github.com/daemontools-go/daemontools/internal/svstate"
)

// The bounds of the dashboard's data.
const (
	logLines    = 20      // lines of each service's log
	maxText     = 1024    // bytes of a log line, a start error, a status text
	maxLogBytes = 8 << 20 // bytes of log lines in one document
)

// apiService is one service of /api/services: the svctl status --json
// object, plus its name, its logger's object and the end of its log.
type apiService struct {
	svstate.Status
	Name     string          `json:"name"`
	Logger   *svstate.Status `json:"logger"`
	Log      []string        `json:"log"`
	LogError string          `json:"log_error,omitempty"`
}

// board is one pass rendered for the dashboard: each service's JSON
// object apart, so that the event stream can send those that changed.
type board struct {
	head    []byte // `{"time":...,"host":...,"scan":[...],`
	names   []string
	entries [][]byte

	docOnce sync.Once
	doc     []byte
}

func newBoard(dirs []string, host string, t *tails, start time.Time) *board {
	ss, scans := scan(dirs)
	b := &board{names: make([]string, len(ss)), entries: make([][]byte, len(ss))}
	var budget atomic.Int64
	gen := t.begin()
	probeAll(ss, scans, start, func(i int, q *probed) {
		e := apiService{Status: clip(q.main.Status()), Name: q.name}
		if q.log {
			l := clip(q.logger.Status())
			e.Logger = &l
			e.Log, e.LogError = t.get(join(q.dir, layout.LogMain), gen, &budget)
		}
		b.names[i] = q.name
		b.entries[i] = marshal(&e)
	})
	t.end(gen)
	head, err := json.Marshal(struct {
		Time time.Time    `json:"time"`
		Host string       `json:"host"`
		Scan []scanResult `json:"scan"`
	}{start.UTC(), host, scans})
	if err != nil {
		panic(err) // a time.Now and strings
	}
	b.head = append(head[:len(head)-1], ',')
	return b
}

// marshal renders e (svstate.Status makes every time encodable).
func marshal(e *apiService) []byte {
	j, err := json.Marshal(e)
	if err != nil {
		panic(err) // strings, booleans, numbers and times in range
	}
	return j
}

// document is the board as /api/services returns it.
func (b *board) document() []byte {
	b.docOnce.Do(func() {
		n := len(b.head) + 16
		for _, e := range b.entries {
			n += len(e) + 1
		}
		d := make([]byte, 0, n)
		d = append(d, b.head...)
		d = append(d, `"services":[`...)
		for i, e := range b.entries {
			if i > 0 {
				d = append(d, ',')
			}
			d = append(d, e...)
		}
		b.doc = append(d, "]}"...)
	})
	return b.doc
}

// delta is what changed from prev to b, as the event stream sends it:
// the services whose objects differ or are new, the names of those gone,
// and the order of all names when it is not prev's.
func (b *board) delta(prev *board) []byte {
	old := make(map[string][]byte, len(prev.names))
	for i, name := range prev.names {
		old[name] = prev.entries[i]
	}
	d := append([]byte(nil), b.head...)
	d = append(d, `"changed":[`...)
	first := true
	for i, name := range b.names {
		if o, ok := old[name]; ok && bytes.Equal(o, b.entries[i]) {
			delete(old, name)
			continue
		}
		delete(old, name)
		if !first {
			d = append(d, ',')
		}
		first = false
		d = append(d, b.entries[i]...)
	}
	d = append(d, `],"removed":[`...)
	first = true
	for _, name := range prev.names {
		if _, gone := old[name]; gone {
			if !first {
				d = append(d, ',')
			}
			first = false
			d = appendJSONString(d, name)
		}
	}
	d = append(d, ']')
	if !slices.Equal(prev.names, b.names) {
		d = append(d, `,"order":[`...)
		for i, name := range b.names {
			if i > 0 {
				d = append(d, ',')
			}
			d = appendJSONString(d, name)
		}
		d = append(d, ']')
	}
	return append(d, '}')
}

func appendJSONString(dst []byte, s string) []byte {
	j, _ := json.Marshal(s) // a string always encodes
	return append(dst, j...)
}

// clip bounds the texts of s to maxText bytes.
func clip(s svstate.Status) svstate.Status {
	cutp := func(p **string) {
		if *p != nil && len(**p) > maxText {
			c := cut(**p, maxText)
			*p = &c
		}
	}
	cutp(&s.StartError)
	cutp(&s.StatusText)
	s.Error = cut(s.Error, maxText)
	return s
}

// cut shortens s to at most n bytes, on a character boundary, marking the
// cut with "…".
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n - len("…")
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

// tails keeps the end of every log read by the last pass, and reads a
// log again only when its directory or its current file changed.
type tails struct {
	mu  sync.Mutex
	m   map[string]*tail
	gen int
}

// tail is the end of one log directory.
type tail struct {
	key   tailKey
	lines []string
	size  int64 // bytes of lines
	err   string
	gen   int // the pass that last used it
}

// tailKey is what the log's content depends on: a rotation, an archive
// added or removed changes the directory; a line written, current.
type tailKey struct {
	dirDev, dirIno, curIno uint64
	dirMtime, dirCtime     unix.Timespec
	curMtime, curCtime     unix.Timespec
	curSize                int64
}

func newTails() *tails { return &tails{m: make(map[string]*tail)} }

// begin starts a pass over the logs. Passes never overlap (a gate runs
// them).
func (t *tails) begin() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.gen++
	return t.gen
}

// end forgets the logs that the pass gen did not see.
func (t *tails) end(gen int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for dir, c := range t.m {
		if c.gen != gen {
			delete(t.m, dir)
		}
	}
}

// leftOut is the log_error of a service past the document's budget.
var leftOut = "left out: the page shows at most " + strconv.Itoa(maxLogBytes>>20) + " MiB of logs"

// get returns the last lines of the log directory dir as the page shows
// them (local times, each line cut to maxText bytes), or why not. budget
// counts the bytes of the pass's logs.
func (t *tails) get(dir string, gen int, budget *atomic.Int64) ([]string, string) {
	key, err := keyOf(dir)
	if err != nil {
		return nil, "unable to read " + dir + ": " + errstr.Text(err)
	}
	t.mu.Lock()
	c := t.m[dir]
	if c != nil && c.key == key {
		c.gen = gen
	} else {
		c = nil
	}
	t.mu.Unlock()
	if c == nil {
		if budget.Load() >= maxLogBytes {
			return nil, leftOut
		}
		c = &tail{key: key, gen: gen, lines: []string{}}
		lines, err := logview.Tail(dir, logLines)
		var pe *os.PathError
		switch {
		case errors.As(err, &pe):
			c.err = "unable to " + pe.Op + " " + pe.Path + ": " + errstr.Text(pe.Err)
		case err != nil:
			c.err = "unable to read " + dir + ": " + errstr.Text(err)
		}
		for _, l := range lines {
			s := cut(l.String(), maxText)
			c.lines = append(c.lines, s)
			c.size += int64(len(s))
		}
		t.mu.Lock()
		t.m[dir] = c
		t.mu.Unlock()
	}
	if budget.Add(c.size) > maxLogBytes {
		return nil, leftOut
	}
	return c.lines, c.err
}

// keyOf stats the log directory dir and its current file, which must be
// a regular file if it exists (a FIFO there would block a reader).
func keyOf(dir string) (tailKey, error) {
	var k tailKey
	var st unix.Stat_t
	if err := unix.Stat(dir, &st); err != nil {
		return k, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return k, unix.ENOTDIR
	}
	k.dirDev, k.dirIno, k.dirMtime, k.dirCtime = st.Dev, st.Ino, st.Mtim, st.Ctim
	err := unix.Stat(join(dir, layout.LogCurrent), &st)
	switch {
	case errors.Is(err, unix.ENOENT):
		return k, nil
	case err != nil:
		return k, err
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return k, errors.New(layout.LogCurrent + " is not a regular file")
	}
	k.curIno, k.curSize, k.curMtime, k.curCtime = st.Ino, st.Size, st.Mtim, st.Ctim
	return k, nil
}
