package tai64nlocal

// This file is glibc's POSIX TZ rule code (tzset.c: __tzset_parse_tz,
// compute_change, __tz_compute), with its C int arithmetic, so that local
// times computed from a rule match glibc's for every year.

type ruleType int

const (
	ruleJ0 ruleType = iota // n: day of year, 0-365, counting Feb 29
	ruleJ1                 // Jn: day of year, 1-365, never counting Feb 29
	ruleM                  // Mm.n.d: day d of week n of month m
)

type tzRule struct {
	offset int64 // seconds east of UTC
	typ    ruleType
	m, n   uint16
	d      uint16
	secs   int64 // time of day of the change, local
}

// tzRules is a parsed TZ value: [0] is standard time and the change to
// daylight time, [1] daylight time and the change back.
type tzRules [2]tzRule

// parseRules parses a TZ value as glibc does, keeping whatever it had
// parsed when it meets something it does not understand. It reports
// false if not even the standard time name and offset parse.
func parseRules(s string) (tzRules, bool) {
	var r tzRules
	p := s
	if !parseName(&p) || !parseOffset(&p, &r, 0) {
		return tzRules{}, false
	}
	if p == "" {
		r[1].offset = r[0].offset
		return r, true
	}
	if parseName(&p) {
		parseOffset(&p, &r, 1)
		if p == "" || p == "," {
			// glibc looks for a "posixrules" file here; without one it
			// uses the US rules, which is what parseRule does on "".
			p = ""
		}
	}
	if parseRule(&p, &r, 0) {
		parseRule(&p, &r, 1)
	}
	return r, true
}

func isAlpha(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool { return '0' <= c && c <= '9' }
func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

func parseName(p *string) bool {
	s := *p
	i := 0
	for i < len(s) && isAlpha(s[i]) {
		i++
	}
	if i >= 3 {
		*p = s[i:]
		return true
	}
	if len(s) == 0 || s[0] != '<' {
		return false
	}
	i = 1
	for i < len(s) && (isAlpha(s[i]) || isDigit(s[i]) || s[i] == '+' || s[i] == '-') {
		i++
	}
	if i >= len(s) || s[i] != '>' || i-1 < 3 {
		return false
	}
	*p = s[i+1:]
	return true
}

// scanHU is sscanf's %hu: optional white space and sign, then digits,
// truncated to 16 bits. It returns the bytes used, 0 if none.
func scanHU(s string) (uint16, int) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start := i
	var v uint64
	for i < len(s) && isDigit(s[i]) {
		v = v*10 + uint64(s[i]-'0')
		i++
	}
	if i == start {
		return 0, 0
	}
	if neg {
		v = -v
	}
	return uint16(v), i
}

// scanHMS is sscanf("%hu%n:%hu%n:%hu%n"): it returns how many numbers it
// read and the bytes consumed up to the last one.
func scanHMS(s string, h, m, sec *uint16) (int, int) {
	v, n := scanHU(s)
	if n == 0 {
		return 0, 0
	}
	*h = v
	used, count := n, 1
	for _, dst := range []*uint16{m, sec} {
		if used >= len(s) || s[used] != ':' {
			break
		}
		v, n = scanHU(s[used+1:])
		if n == 0 {
			break
		}
		*dst = v
		used += 1 + n
		count++
	}
	return count, used
}

func parseOffset(p *string, r *tzRules, which int) bool {
	s := *p
	if which == 0 && (s == "" || s[0] != '+' && s[0] != '-' && !isDigit(s[0])) {
		return false
	}
	sign := int64(-1)
	if s != "" && (s[0] == '+' || s[0] == '-') {
		if s[0] == '-' {
			sign = 1
		}
		s = s[1:]
	}
	*p = s
	var h, m, sec uint16
	count, used := scanHMS(s, &h, &m, &sec)
	if count == 0 {
		if which == 0 {
			r[0].offset = 0
			return false
		}
		r[1].offset = r[0].offset + 3600
		return true
	}
	r[which].offset = sign * (int64(min(sec, 59)) + int64(min(m, 59))*60 + int64(min(h, 24))*3600)
	*p = s[used:]
	return true
}

func parseRule(p *string, r *tzRules, which int) bool {
	s := *p
	t := &r[which]
	if s != "" && s[0] == ',' {
		s = s[1:]
	}
	switch {
	case s != "" && (s[0] == 'J' || isDigit(s[0])):
		t.typ = ruleJ0
		if s[0] == 'J' {
			t.typ = ruleJ1
			s = s[1:]
			if s == "" || !isDigit(s[0]) {
				return false
			}
		}
		i := 0
		var d uint64
		for i < len(s) && isDigit(s[i]) {
			d = d*10 + uint64(s[i]-'0')
			if d > 1000 {
				d = 1000
			}
			i++
		}
		if d > 365 || t.typ == ruleJ1 && d == 0 {
			return false
		}
		t.d = uint16(d)
		s = s[i:]
	case s != "" && s[0] == 'M':
		var vals [3]uint16
		rest := s[1:]
		for k := range vals {
			if k > 0 {
				if rest == "" || rest[0] != '.' {
					return false
				}
				rest = rest[1:]
			}
			v, n := scanHU(rest)
			if n == 0 {
				return false
			}
			vals[k], rest = v, rest[n:]
		}
		t.typ, t.m, t.n, t.d = ruleM, vals[0], vals[1], vals[2]
		if t.m < 1 || t.m > 12 || t.n < 1 || t.n > 5 || t.d > 6 {
			return false
		}
		s = rest
	case s == "":
		t.typ, t.n, t.d = ruleM, 1, 0
		t.m = 11
		if which == 0 {
			t.m, t.n = 3, 2
		}
	default:
		return false
	}
	switch {
	case s != "" && s[0] == '/':
		s = s[1:]
		if s == "" {
			return false
		}
		neg := s[0] == '-'
		if neg {
			s = s[1:]
		}
		h, m, sec := uint16(2), uint16(0), uint16(0)
		_, used := scanHMS(s, &h, &m, &sec)
		s = s[used:]
		t.secs = int64(h)*3600 + int64(m)*60 + int64(sec)
		if neg {
			t.secs = -t.secs
		}
	case s == "" || s[0] == ',':
		t.secs = 2 * 3600
	default:
		return false
	}
	*p = s
	return true
}

var monYday = [2][13]int32{
	{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
	{0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366},
}

func isLeap(y int32) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// change is glibc's compute_change: the UNIX time of the rule's change in
// year, in C int arithmetic (years before 1971 count from 1970-01-01).
func (t *tzRule) change(year int32) int64 {
	var c int64
	if year > 1970 {
		days := (year-1970)*365 + ((year-1)/4 - 1970/4) - ((year-1)/100 - 1970/100) + ((year-1)/400 - 1970/400)
		c = int64(days) * 86400
	}
	leap := 0
	if isLeap(year) {
		leap = 1
	}
	switch t.typ {
	case ruleJ1:
		c += (int64(t.d) - 1) * 86400
		if t.d >= 60 && leap == 1 {
			c += 86400
		}
	case ruleJ0:
		c += int64(t.d) * 86400
	case ruleM:
		before, in := monYday[leap][t.m-1], monYday[leap][t.m]
		c += int64(before) * 86400
		m1 := (int32(t.m)+9)%12 + 1
		yy0 := year
		if t.m <= 2 {
			yy0 = year - 1
		}
		yy1, yy2 := yy0/100, yy0%100
		dow := ((26*m1-2)/10 + 1 + yy2 + yy2/4 + yy1/4 - 2*yy1) % 7
		if dow < 0 {
			dow += 7
		}
		d := int32(t.d) - dow
		if d < 0 {
			d += 7
		}
		for i := uint16(1); i < t.n; i++ {
			if d+7 >= in-before {
				break
			}
			d += 7
		}
		c += int64(d) * 86400
	}
	return c - t.offset + t.secs
}

// offsetAt is glibc's __tz_compute: the offset in force at t, whose UTC
// year (1900 + tm_year, a C int) is year.
func (r *tzRules) offsetAt(t int64, year int32) int64 {
	c0, c1 := r[0].change(year), r[1].change(year)
	var dst bool
	if c0 > c1 {
		dst = t < c1 || t >= c0
	} else {
		dst = t >= c0 && t < c1
	}
	if dst {
		return r[1].offset
	}
	return r[0].offset
}
