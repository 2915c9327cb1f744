package serve

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"time"
)

// The server's limits (the package documentation lists them).
const (
	maxConns          = 256     // connections served at once; more wait to be accepted
	maxHeaderBytes    = 8 << 10 // request line and headers
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 30 * time.Second // a stream extends it at each write
	idleTimeout       = 60 * time.Second
	shutdownTimeout   = 5 * time.Second
)

// server is svctl serve over a set of scan directories.
type server struct {
	dirs     []string
	host     string // this machine's name, for the page
	loopback bool   // bound to a loopback address: Host headers are checked
	errLog   *log.Logger
	passes   *gate[*pass]  // status only, for /metrics
	boards   *gate[*board] // status and logs, for the page
	hub      *hub
	metrics  http.Handler
}

func newServer(dirs []string, addr net.Addr, stderr io.Writer) *server {
	host, _ := os.Hostname()
	s := &server{dirs: dirs, host: host, loopback: isLoopback(addr),
		errLog: log.New(stderr, "svctl: warning: serve: ", 0)}
	s.passes = &gate[*pass]{run: func(start time.Time) *pass {
		ss, scans := scan(s.dirs)
		return probeAll(ss, scans, start, nil)
	}}
	t := newTails()
	s.boards = &gate[*board]{run: func(start time.Time) *board { return newBoard(s.dirs, s.host, t, start) }}
	s.hub = newHub(s.boards)
	s.metrics = metricsHandler(s.passes, s.errLog)
	return s
}

// isLoopback tells whether addr is a loopback address.
func isLoopback(addr net.Addr) bool {
	ta, ok := addr.(*net.TCPAddr)
	if !ok {
		return false
	}
	a, ok := netip.AddrFromSlice(ta.IP)
	return ok && a.Unmap().IsLoopback()
}

// serve serves ln until ctx is done, then stops: event streams end at
// once, other requests get shutdownTimeout to finish.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	base, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          s.errLog,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(limitListener(ln, maxConns)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	cancel()
	sctx, scancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer scancel()
	srv.Shutdown(sctx) //nolint:errcheck // what did not finish is closed
	srv.Close()        //nolint:errcheck
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// The headers of every response: nothing from elsewhere, no framing, no
// sniffing, no referrer.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func secure(h http.Header) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// ServeHTTP routes by exact path: no request path is ever a file name.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	secure(h)
	if s.loopback && !loopbackHost(r.Host) {
		// DNS rebinding: a page of another origin whose name now points here.
		plain(w, http.StatusMisdirectedRequest, "svctl serve answers only to a loopback name such as localhost or 127.0.0.1")
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		h.Set("Allow", "GET, HEAD")
		plain(w, http.StatusMethodNotAllowed, "read-only: GET or HEAD")
		return
	}
	switch r.URL.Path {
	case "/metrics":
		h.Set("Cache-Control", "no-store")
		s.metrics.ServeHTTP(w, r)
	case "/api/services":
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Type", "application/json")
		w.Write(s.boards.get(time.Now()).document()) //nolint:errcheck // the client went away
	case "/api/events":
		h.Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet {
			h.Set("Allow", "GET")
			plain(w, http.StatusMethodNotAllowed, "an event stream: GET")
			return
		}
		s.hub.stream(w, r)
	default:
		a, ok := assets[r.URL.Path]
		if !ok {
			plain(w, http.StatusNotFound, "not found")
			return
		}
		a.serve(w, r)
	}
}

// plain answers with code and a line of text.
func plain(w http.ResponseWriter, code int, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	io.WriteString(w, text+"\n") //nolint:errcheck // the client went away
}

// loopbackHost tells whether the Host header host (with or without a
// port) names this machine's loopback: localhost, a name under
// .localhost (RFC 6761), or a loopback address. A server bound to
// loopback serves no other name, and a DNS rebinding attack cannot send
// these: its page's origin keeps the attacker's name.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	a, err := netip.ParseAddr(host)
	return err == nil && a.Zone() == "" && a.Unmap().IsLoopback()
}
