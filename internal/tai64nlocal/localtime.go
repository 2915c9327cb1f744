package tai64nlocal

import (
	"math"
	"strconv"
)

// maxAbsSeconds bounds the times worth computing: beyond it the year cannot
// fit in a C int, where glibc's localtime fails.
const maxAbsSeconds = 1e17

// Offsets looks up the offsets of a zone as glibc's localtime uses them,
// remembering the interval in which the last one holds, so that a run of
// times in one period costs two comparisons each.
type Offsets struct {
	z        *Zone
	from, to int64 // the cached offset holds in [from, to)
	offset   int64
}

// NewOffsets returns an empty Offsets for z.
func NewOffsets(z *Zone) *Offsets { return &Offsets{z: z, from: 1, to: 0} }

// At returns the offset east of UTC, in seconds, in force at UNIX time t.
// It reports false for times beyond ±10^17 seconds (some three billion
// years), where glibc's localtime fails and no zone rule means anything.
func (o *Offsets) At(t int64) (int64, bool) {
	if t > maxAbsSeconds || t < -maxAbsSeconds {
		return 0, false
	}
	if t < o.from || t >= o.to {
		o.offset, o.from, o.to = o.z.offsetAt(t)
		if o.from > t || o.to <= t {
			o.from, o.to = t, t+1
		}
	}
	return o.offset, true
}

// converter formats TAI64N labels as local time, caching the zone period
// and the date of the last label.
type converter struct {
	z       *Zone
	offsets Offsets

	day  int64 // day number of the cached date
	date []byte
}

func newConverter(z *Zone) *converter {
	return &converter{z: z, offsets: *NewOffsets(z), day: math.MinInt64}
}

// appendLocal appends "YYYY-MM-DD HH:MM:SS.NNNNNNNNN" for a label with the
// given TAI64 seconds and nanoseconds, as 0.76's tai64nlocal prints it
// with glibc's localtime. It reports false where that localtime fails
// (and 0.76 crashes): the year does not fit in a C int.
func (c *converter) appendLocal(dst []byte, sec uint64, nano uint32) ([]byte, bool) {
	t := int64(sec - (1<<62 + 10))
	offset, ok := c.offsets.At(t)
	if !ok {
		return dst, false
	}
	corr, hit := c.z.leapAt(t)
	wall := t + offset - corr
	day, sod := wall/86400, wall%86400
	if sod < 0 {
		day, sod = day-1, sod+86400
	}
	if day != c.day {
		y, m, d := civil(day)
		if y-1900 < math.MinInt32 || y-1900 > math.MaxInt32 {
			return dst, false
		}
		// 0.76 prints 1900+tm_year (a C int) as an unsigned long.
		year := uint64(int64(int32(uint32(y-1900) + 1900)))
		c.date = strconv.AppendUint(c.date[:0], year, 10)
		c.date = append(c.date, '-', byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10), ' ')
		c.day = day
	}
	dst = append(dst, c.date...)
	h, mi, s := sod/3600, sod/60%60, sod%60+hit
	dst = append(dst, byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':',
		byte('0'+s/10), byte('0'+s%10), '.')
	return appendNano(dst, nano), true
}

// appendNano appends n zero-padded to 9 digits (or more if larger).
func appendNano(dst []byte, n uint32) []byte {
	if n > 999999999 {
		return strconv.AppendUint(dst, uint64(n), 10)
	}
	var b [9]byte
	for i := 8; i >= 0; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return append(dst, b[:]...)
}

// leapAt returns glibc's leap-second correction at t, and how many leap
// seconds t is inside of (added to tm_sec, giving :60).
func (z *Zone) leapAt(t int64) (corr, hit int64) {
	if z.file == nil {
		return 0, 0
	}
	leaps := z.file.leaps
	i := len(leaps)
	for {
		if i == 0 {
			return 0, 0
		}
		i--
		if t >= leaps[i].trans {
			break
		}
	}
	corr = leaps[i].corr
	if t == leaps[i].trans && (i == 0 && corr > 0 || i > 0 && corr > leaps[i-1].corr) {
		hit = 1
		for i > 0 && leaps[i].trans == leaps[i-1].trans+1 && leaps[i].corr == leaps[i-1].corr+1 {
			hit++
			i--
		}
	}
	return corr, hit
}

// civil converts a day count from 1970-01-01 to a proleptic Gregorian
// date (Howard Hinnant's algorithm), for any int64 day within range.
func civil(z int64) (y, m, d int64) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	if mp < 10 {
		m = mp + 3
	} else {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}
