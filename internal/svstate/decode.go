package svstate

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"
)

// Decode reads a document. The one AppendJSON writes (its keys in its
// order, strings without escapes) is read by a scanner of its own, several
// times faster than encoding/json, which reads any other valid document:
// readers go through thousands a second (svctl status, svctl serve).
func Decode(b []byte, d *Doc) error {
	if fastDecode(b, d) {
		return nil
	}
	*d = Doc{}
	return json.Unmarshal(b, d)
}

// scanner walks a document of AppendJSON's form.
type scanner struct {
	b  []byte
	ok bool
}

func (s *scanner) lit(l string) {
	if s.ok && bytes.HasPrefix(s.b, []byte(l)) {
		s.b = s.b[len(l):]
		return
	}
	s.ok = false
}

// key expects `"name":` (after a comma unless first).
func (s *scanner) key(name string, first bool) {
	if !first {
		s.lit(",")
	}
	s.lit(`"`)
	s.lit(name)
	s.lit(`":`)
}

func (s *scanner) null() bool {
	if s.ok && bytes.HasPrefix(s.b, []byte("null")) {
		s.b = s.b[4:]
		return true
	}
	return false
}

func (s *scanner) int() int64 {
	if !s.ok {
		return 0
	}
	i := 0
	if i < len(s.b) && s.b[i] == '-' {
		i++
	}
	for i < len(s.b) && s.b[i] >= '0' && s.b[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(string(s.b[:i]), 10, 64)
	if err != nil {
		s.ok = false
		return 0
	}
	s.b = s.b[i:]
	return n
}

func (s *scanner) bool() bool {
	switch {
	case !s.ok:
	case bytes.HasPrefix(s.b, []byte("true")):
		s.b = s.b[4:]
		return true
	case bytes.HasPrefix(s.b, []byte("false")):
		s.b = s.b[5:]
	default:
		s.ok = false
	}
	return false
}

// str reads a string without escapes (others are left to encoding/json).
func (s *scanner) str() string {
	if !s.ok || len(s.b) == 0 || s.b[0] != '"' {
		s.ok = false
		return ""
	}
	end := bytes.IndexByte(s.b[1:], '"')
	if end < 0 || bytes.IndexByte(s.b[1:end+1], '\\') >= 0 {
		s.ok = false
		return ""
	}
	v := string(s.b[1 : end+1])
	s.b = s.b[end+2:]
	return v
}

func (s *scanner) time() time.Time {
	v := s.str()
	if !s.ok {
		return time.Time{}
	}
	t, err := time.Parse(TimeLayout, v)
	if err != nil {
		s.ok = false
	}
	return t
}

func (s *scanner) optTime() *time.Time {
	if s.null() {
		return nil
	}
	t := s.time()
	return &t
}

func (s *scanner) optStr() *string {
	if s.null() {
		return nil
	}
	v := s.str()
	return &v
}

func (s *scanner) optInt() *int {
	if s.null() {
		return nil
	}
	v := int(s.int())
	return &v
}

// fastDecode reads a document of AppendJSON's form into d and reports
// whether it was one.
func fastDecode(b []byte, d *Doc) bool {
	s := scanner{b: bytes.TrimRight(b, " \t\r\n"), ok: true}
	*d = Doc{}
	s.lit("{")
	s.key("version", true)
	d.Version = int(s.int())
	s.key("service", false)
	d.Service = s.str()
	s.key("state", false)
	d.State = s.str()
	s.key("pid", false)
	d.Pid = int(s.int())
	s.key("pgid", false)
	d.Pgid = int(s.int())
	s.key("since", false)
	d.Since = s.time()
	s.key("want", false)
	d.Want = s.str()
	s.key("normally", false)
	d.Normally = s.str()
	s.key("paused", false)
	d.Paused = s.bool()
	s.key("ready", false)
	d.Ready = s.bool()
	s.key("ready_since", false)
	d.ReadySince = s.optTime()
	s.key("restarts", false)
	d.Restarts = int(s.int())
	s.key("last_exit", false)
	if !s.null() {
		e := &Exit{}
		s.lit("{")
		s.key("code", true)
		e.Code = s.optInt()
		s.key("signal", false)
		e.Signal = s.optInt()
		s.key("core", false)
		e.Core = s.bool()
		s.key("at", false)
		e.At = s.time()
		s.key("ran_ms", false)
		e.RanMs = s.int()
		s.lit("}")
		d.LastExit = e
	}
	s.key("backoff_until", false)
	d.BackoffUntil = s.optTime()
	s.key("start_error", false)
	d.StartError = s.optStr()
	s.key("status_text", false)
	d.StatusText = s.optStr()
	s.lit("}")
	return s.ok && len(s.b) == 0
}
