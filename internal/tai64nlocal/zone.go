package tai64nlocal

import (
	"encoding/binary"
	"os"
	"strings"
	"time"
)

// leap is one leap-second record of a TZif file: from trans on (in the
// file's time scale), corr seconds are subtracted.
type leap struct {
	trans int64
	corr  int64
}

// Zone converts UNIX seconds to local time as glibc's localtime does,
// leap seconds of "right/" zones included (Go's time package ignores them).
type Zone struct {
	loc   *time.Location
	leaps []leap
	rule  bool // loc is a POSIX TZ rule alone: periodic over 400 years
}

// ZoneDir is where zone files are looked up, as glibc does without TZDIR.
const ZoneDir = "/usr/share/zoneinfo"

// LoadZone finds the zone glibc would use for the value of TZ (set says
// whether TZ is in the environment): unset means /etc/localtime; empty
// means UTC; a leading ':' is dropped; an absolute name is a file, another
// name a file under $TZDIR or /usr/share/zoneinfo; a name that is no
// readable zone file is taken as a POSIX TZ rule such as "JST-9" or
// "PST8PDT,M3.2.0,M11.1.0"; anything else is UTC.
func LoadZone(tz string, set bool) *Zone {
	if !set {
		tz = "/etc/localtime"
	}
	tz = strings.TrimPrefix(tz, ":")
	if tz == "" {
		return &Zone{loc: time.UTC}
	}
	path := tz
	if tz[0] != '/' {
		dir := os.Getenv("TZDIR")
		if dir == "" {
			dir = ZoneDir
		}
		path = dir + "/" + tz
	}
	if data, err := os.ReadFile(path); err == nil {
		if loc, err := time.LoadLocationFromTZData(tz, data); err == nil {
			return &Zone{loc: loc, leaps: parseLeaps(data)}
		}
	}
	if set {
		if loc, ok := ruleZone(tz); ok {
			return &Zone{loc: loc, rule: true}
		}
	}
	return &Zone{loc: time.UTC}
}

// parseLeaps reads the leap-second records of a TZif file, from its 64-bit
// part when it has one, as glibc does.
func parseLeaps(data []byte) []leap {
	type counts struct{ isut, isstd, leap, time, typ, char int }
	header := func(b []byte) (counts, bool) {
		if len(b) < 44 || string(b[:4]) != "TZif" {
			return counts{}, false
		}
		n := func(i int) int { return int(binary.BigEndian.Uint32(b[20+4*i:])) }
		return counts{n(0), n(1), n(2), n(3), n(4), n(5)}, true
	}
	c, ok := header(data)
	if !ok {
		return nil
	}
	timeSize := 4
	body := data[44:]
	if data[4] >= '2' {
		skip := c.time*5 + c.typ*6 + c.char + c.leap*8 + c.isstd + c.isut
		if len(body) < skip {
			return nil
		}
		if c, ok = header(body[skip:]); !ok {
			return nil
		}
		body = body[skip+44:]
		timeSize = 8
	}
	off := c.time*(timeSize+1) + c.typ*6 + c.char
	if len(body) < off+c.leap*(timeSize+4) {
		return nil
	}
	leaps := make([]leap, c.leap)
	for i := range leaps {
		b := body[off+i*(timeSize+4):]
		if timeSize == 8 {
			leaps[i].trans = int64(binary.BigEndian.Uint64(b))
		} else {
			leaps[i].trans = int64(int32(binary.BigEndian.Uint32(b)))
		}
		leaps[i].corr = int64(int32(binary.BigEndian.Uint32(b[timeSize:])))
	}
	return leaps
}

// ruleZone makes a location from a POSIX TZ rule, by wrapping the rule in
// a TZif file as its footer (Go applies footers after the last transition;
// one transition at the start of time makes that all of time).
func ruleZone(rule string) (*time.Location, bool) {
	if strings.ContainsAny(rule, "\n\x00") || len(rule) < 3 {
		return nil, false
	}
	var b []byte
	be32 := func(v uint32) { b = binary.BigEndian.AppendUint32(b, v) }
	hdr := func(timecnt uint32) {
		b = append(b, "TZif2"...)
		b = append(b, make([]byte, 15)...)
		for _, v := range []uint32{0, 0, 0, timecnt, 1, 4} {
			be32(v)
		}
	}
	hdr(0)
	b = append(b, 0, 0, 0, 0, 0, 0, 'U', 'T', 'C', 0) // v1: one type, UTC
	hdr(1)
	b = binary.BigEndian.AppendUint64(b, uint64(1)<<63) // the start of time
	b = append(b, 0)
	b = append(b, 0, 0, 0, 0, 0, 0, 'U', 'T', 'C', 0)
	b = append(b, '\n')
	b = append(b, rule...)
	b = append(b, '\n')
	loc, err := time.LoadLocationFromTZData(rule, b)
	if err != nil {
		return nil, false
	}
	// Go ignores a rule it cannot parse: then the zone stays UTC, as
	// glibc's does for an invalid TZ.
	return loc, true
}
