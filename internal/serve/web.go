package serve

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"strconv"
)

// The dashboard: a page, its script, its style sheet and its icon, all in
// the binary.
//
//go:embed web
var web embed.FS

// asset is a file of the dashboard.
type asset struct {
	body  []byte
	ctype string
	etag  string
}

// assets maps each request path to its file; no other path is served.
var assets = map[string]*asset{
	"/":          load("web/index.html", "text/html; charset=utf-8"),
	"/app.js":    load("web/app.js", "text/javascript; charset=utf-8"),
	"/style.css": load("web/style.css", "text/css; charset=utf-8"),
	"/icon.svg":  load("web/icon.svg", "image/svg+xml"),
}

func load(name, ctype string) *asset {
	b, err := web.ReadFile(name)
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	sum := sha256.Sum256(b)
	return &asset{body: b, ctype: ctype, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// serve sends the file; the browser revalidates it at each load (no-cache)
// and gets 304 while this binary serves it.
func (a *asset) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	if r.Header.Get("If-None-Match") == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", a.ctype)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	w.Write(a.body) //nolint:errcheck // the client went away
}
