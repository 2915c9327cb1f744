// Package serve is svctl serve (the program svctl-serve, which svctl runs
// for that verb): an HTTP server over scan directories that shows the
// state of their services, read-only.
//
//	svctl serve [--listen ADDR] DIR...
//
// Each DIR is a scan directory (/etc/service); its services are found as
// svscan finds them at every request: each entry whose name does not
// start with '.' and that is a directory or a symbolic link to one, with
// a logger when entry/log exists. A name that an earlier DIR has already
// is shown as the service's path. At most MaxServices services are read.
// Each is read with svstate.ProbeIn, relative to its scan directory: our
// supervise's state.json, or the 18-byte supervise/status of Debian's;
// supervise/ok tells whether a supervisor runs, at every request.
//
// # Endpoints
//
// Only GET and HEAD, only these paths (no other path, and no query,
// reaches a file):
//
//	/              the dashboard (web/index.html, app.js, style.css, icon.svg, embedded)
//	/metrics       Prometheus text exposition (client_golang)
//	/api/services  the dashboard's document, JSON
//	/api/events    server-sent events: "full" (the document), then "delta" each second
//
// # Metrics
//
// One series per service and per logger, label service: the directory's
// name, name/log for the logger. Which series a service has depends on
// what can be known:
//
//   - no supervisor running (supervise/ok has no reader), or a directory
//     that cannot be opened: daemontools_service_supervised 0 and nothing
//     else, since the files a dead supervisor left are stale (node_exporter's
//     runit collector reports them as live);
//   - a supervisor whose status cannot be read (a 7-byte status file, an
//     unreadable supervise/): supervised 1 alone;
//   - Debian's supervise (the 18-byte record; also our supervise in the
//     instant between its two renames, or with a garbage state.json):
//     supervised, up, want_up, normally_up, paused and
//     state_change_timestamp_seconds (the last pid change, as svstat's);
//     ready, restarts_total, last_exit_code and backoff are not recorded
//     and are left out rather than guessed;
//   - our supervise (state.json): all of them; last_exit_code only after
//     an exit whose status is known, minus the signal's number when a
//     signal ended it (as Python's returncode).
//
// up is 1 in the state up only (not while stopping or finishing); want_up
// is 1 for svc -u only (0 for down and once). daemontools_scrape_duration_seconds
// is the time the scrape's pass over the services took, and the Go
// client's process and Go collectors add process_* and go_*. An alert on a
// service should test supervised as well as up: a service without a
// supervisor has no up series.
//
// # The document
//
// /api/services returns
//
//	{"time": RFC 3339 (the pass's start), "host": the machine's name,
//	 "scan": [{"dir": DIR, "error": why it could not be read (absent if it could)}],
//	 "services": [SERVICE, ...]}
//
// where SERVICE is the object of svctl status --json (svstate.Status: the
// keys of state.json, plus dir, supervised, source and error) with:
//
//	"name"       the service's name (as the label of its metrics)
//	"logger"     the same object for its logger, or null without log/
//	"log"        the last 20 lines of DIR/log/main, oldest first, each
//	             TAI64N label as the local time (svctl log's format), or
//	             null without log/
//	"log_error"  why the log could not be read (absent if it could)
//
// A "delta" event carries time, host and scan, then "changed" (the
// SERVICE objects that differ from the previous second's, or are new),
// "removed" (names) and, when the names changed, "order" (every name).
//
// # Bounds
//
// Every pass is shared: requests that arrive while a pass runs wait for it
// instead of starting another, and a pass never serves a request that came
// before it began (gate). The event streams share one pass a second, made
// only while a stream is open. A log is read again only when its directory
// or its current file changed (a stat of each per pass), and only if
// current is a regular file. Log lines, start errors and status texts are
// cut to 1 KiB, a document carries at most 8 MiB of log lines (the logs
// past that say "left out"), and at most MaxServices services.
//
// # Security
//
// Read-only: no handler writes anything or sends a command. The default
// address is loopback (127.0.0.1:9717); another one is served with a
// warning on stderr. Bound to loopback, the server answers 421 to a
// request whose Host header is not localhost, a name under .localhost or
// a loopback address, so that a page whose name an attacker re-points to
// 127.0.0.1 (DNS rebinding) cannot read it. Requests are routed by exact
// path, never to a file. Headers: a Content-Security-Policy allowing only
// this origin's script and style (no inline code), nosniff, DENY framing,
// no referrer, no-store on the API and the metrics. Limits: 256
// connections at a time (more wait in the kernel's queue), 8 KiB of
// headers, 5 s to read them and 10 s the request, 30 s to write a
// response (10 s for each event of a stream), 60 s idle, 64 event streams
// (more get 503 and the page polls instead), 8 scrapes at once (more get
// 503).
package serve
