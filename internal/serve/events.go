package serve

import (
	"net/http"
	"sync"
	"time"
)

// The event streams' limits.
const (
	tick              = time.Second      // a pass while any stream is open
	maxStreams        = 64               // streams at once; more get 503 (the page then polls)
	streamWriteTimout = 10 * time.Second // for each event
	retryMillis       = "2000"           // the browser's wait before it reconnects
)

// hub runs one pass a tick while event streams are open, whatever their
// number, and none while there is none. Each stream sends the board of
// the latest pass when it starts or has fallen behind, else what changed
// since the one before.
type hub struct {
	boards *gate[*board]

	mu      sync.Mutex
	streams int
	running bool
	seq     uint64        // passes published
	cur     *board        // the latest; nil while not running
	delta   []byte        // from the pass seq-1 to cur
	changed chan struct{} // closed when cur changes
}

func newHub(boards *gate[*board]) *hub {
	return &hub{boards: boards, changed: make(chan struct{})}
}

// join counts a new stream and starts the ticks if need be; false when
// there are maxStreams already.
func (h *hub) join() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.streams >= maxStreams {
		return false
	}
	h.streams++
	if !h.running {
		h.running = true
		go h.run()
	}
	return true
}

func (h *hub) leave() {
	h.mu.Lock()
	h.streams--
	h.mu.Unlock()
}

// run makes a pass a tick until no stream is left.
func (h *hub) run() {
	t := time.NewTicker(tick)
	defer t.Stop()
	var prev *board
	for {
		b := h.boards.get(time.Now())
		var delta []byte
		if prev != nil {
			delta = b.delta(prev)
		}
		h.mu.Lock()
		if h.streams == 0 {
			h.running, h.cur, h.delta = false, nil, nil
			h.mu.Unlock()
			return
		}
		h.seq++
		h.cur, h.delta = b, delta
		close(h.changed)
		h.changed = make(chan struct{})
		h.mu.Unlock()
		prev = b
		<-t.C
	}
}

// stream serves one event stream: "full" events carry the document of
// /api/services, "delta" events what changed (board.delta).
func (h *hub) stream(w http.ResponseWriter, r *http.Request) {
	if !h.join() {
		plain(w, http.StatusServiceUnavailable, "too many event streams: poll /api/services")
		return
	}
	defer h.leave()
	rc := http.NewResponseController(w)
	// The request has been read: the server's read timeout must not end
	// the stream (a read error cancels the request's context).
	rc.SetReadDeadline(time.Time{}) //nolint:errcheck // HTTP/1 and 2 both support it
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	send := func(parts ...[]byte) bool {
		rc.SetWriteDeadline(time.Now().Add(streamWriteTimout)) //nolint:errcheck // as above
		for _, p := range parts {
			if _, err := w.Write(p); err != nil {
				return false
			}
		}
		return rc.Flush() == nil
	}
	if !send([]byte("retry: " + retryMillis + "\n\n")) {
		return
	}
	var sent uint64 // the pass last sent; 0: none
	for {
		h.mu.Lock()
		changed, seq, cur, delta := h.changed, h.seq, h.cur, h.delta
		h.mu.Unlock()
		if cur != nil && seq != sent {
			ok := false
			if sent != 0 && sent == seq-1 && delta != nil {
				ok = send([]byte("event: delta\ndata: "), delta, []byte("\n\n"))
			} else {
				ok = send([]byte("event: full\ndata: "), cur.document(), []byte("\n\n"))
			}
			if !ok {
				return
			}
			sent = seq
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		}
	}
}
