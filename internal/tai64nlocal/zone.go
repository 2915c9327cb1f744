package tai64nlocal

import (
	"math"
	"os"
	"strings"
)

// leap is one leap-second record of a TZif file: from trans on (in the
// file's time scale), corr seconds are subtracted.
type leap struct {
	trans int64
	corr  int64
}

// Zone converts UNIX seconds to local time exactly as glibc's localtime
// does: zone files with their transitions, POSIX TZ footers and leap
// seconds ("right/" zones), and POSIX TZ rules, with glibc's arithmetic.
type Zone struct {
	file      *tzif   // nil for a zone given as a rule
	rules     tzRules // the rule, or the file's footer
	useFooter bool    // the file has a non-empty footer
}

// ZoneDir is where zone files are looked up, as glibc does without TZDIR.
const ZoneDir = "/usr/share/zoneinfo"

// LoadZone finds the zone glibc would use for the value of TZ (set says
// whether TZ is in the environment): unset means /etc/localtime; empty
// means UTC; a leading ':' is dropped; an absolute name is a file, another
// name a file under $TZDIR or /usr/share/zoneinfo; a name that is no
// zone file is taken as a POSIX TZ rule such as "JST-9" or
// "PST8PDT,M3.2.0,M11.1.0"; anything else is UTC.
func LoadZone(tz string, set bool) *Zone {
	if !set {
		tz = "/etc/localtime"
	}
	tz = strings.TrimPrefix(tz, ":")
	if tz == "" {
		return &Zone{}
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
		if f, err := parseTZif(data); err == nil {
			z := &Zone{file: f, useFooter: f.footer != ""}
			if z.useFooter {
				z.rules, _ = parseRules(f.footer)
			}
			return z
		}
	}
	if set {
		r, _ := parseRules(tz)
		return &Zone{rules: r}
	}
	return &Zone{}
}

// utcYear is the year of t in UTC as glibc's __offtime(t, 0) gives it in
// tm_year (a C int), and false where that fails.
func utcYear(t int64) (int32, bool) {
	y, _, _ := civil(floorDiv(t, 86400))
	if y-1900 < math.MinInt32 || y-1900 > math.MaxInt32 {
		return 0, false
	}
	return int32(y - 1900), true
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b < 0 {
		q--
	}
	return q
}

// offsetAt returns the offset glibc uses at t and an interval [from, to)
// around t where it does not change.
func (z *Zone) offsetAt(t int64) (off, from, to int64) {
	from, to = math.MinInt64, math.MaxInt64
	f := z.file
	if f != nil {
		n := len(f.trans)
		if n == 0 || t < f.trans[n-1] || !z.useFooter {
			lo, hi := 0, n
			for lo < hi { // first transition after t
				m := (lo + hi) / 2
				if t < f.trans[m] {
					hi = m
				} else {
					lo = m + 1
				}
			}
			if lo > 0 {
				from = f.trans[lo-1]
			}
			if lo < n {
				to = f.trans[lo]
			}
			return f.typeAt(t).offset, from, to
		}
		from = f.trans[n-1]
	}
	tmYear, ok := utcYear(t)
	if !ok { // glibc falls back to the last transition's type
		if f != nil {
			return f.types[f.idx[len(f.idx)-1]].offset, t, t + 1
		}
		return 0, t, t + 1
	}
	year := int32(uint32(tmYear) + 1900)
	off = z.rules.offsetAt(t, year)
	// Within the UTC year the offset changes only at the two changes.
	y64 := int64(tmYear) + 1900
	from = max(from, daysFromCivil(y64)*86400)
	to = min(to, daysFromCivil(y64+1)*86400)
	for _, c := range []int64{z.rules[0].change(year), z.rules[1].change(year)} {
		if c <= t {
			from = max(from, c)
		} else {
			to = min(to, c)
		}
	}
	return off, from, to
}

// daysFromCivil is the day number of January 1 of year y (proleptic
// Gregorian, day 0 = 1970-01-01).
func daysFromCivil(y int64) int64 {
	y--
	era := floorDiv(y, 400)
	yoe := y - era*400
	doy := int64(306) // March 1 to January 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}
