package tai64nlocal

import (
	"encoding/binary"
	"errors"
)

// ttinfo is a local time type of a zone file.
type ttinfo struct {
	offset int64 // seconds east of UTC
	isdst  bool
}

// tzif is what glibc reads from a zone file: the 64-bit data when the file
// has it, and the POSIX TZ footer for times after the last transition.
type tzif struct {
	trans  []int64
	idx    []uint8
	types  []ttinfo
	leaps  []leap
	footer string
}

var errTZif = errors.New("not a TZif file")

// parseTZif decodes a TZif file (RFC 8536), version 1 to 4.
func parseTZif(data []byte) (*tzif, error) {
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
		return nil, errTZif
	}
	size := 4
	body := data[44:]
	if data[4] >= '2' {
		skip := c.time*5 + c.typ*6 + c.char + c.leap*8 + c.isstd + c.isut
		if len(body) < skip {
			return nil, errTZif
		}
		if c, ok = header(body[skip:]); !ok {
			return nil, errTZif
		}
		body = body[skip+44:]
		size = 8
	}
	need := c.time*(size+1) + c.typ*6 + c.char + c.leap*(size+4) + c.isstd + c.isut
	if len(body) < need || c.typ == 0 {
		return nil, errTZif
	}
	z := &tzif{trans: make([]int64, c.time), idx: make([]uint8, c.time), types: make([]ttinfo, c.typ),
		leaps: make([]leap, c.leap)}
	word := func(b []byte) int64 {
		if size == 8 {
			return int64(binary.BigEndian.Uint64(b))
		}
		return int64(int32(binary.BigEndian.Uint32(b)))
	}
	p := body
	for i := range z.trans {
		z.trans[i] = word(p[i*size:])
	}
	p = p[c.time*size:]
	for i := range z.idx {
		if z.idx[i] = p[i]; int(p[i]) >= c.typ {
			return nil, errTZif
		}
	}
	p = p[c.time:]
	for i := range z.types {
		z.types[i] = ttinfo{offset: int64(int32(binary.BigEndian.Uint32(p[i*6:]))), isdst: p[i*6+4] != 0}
	}
	p = p[c.typ*6+c.char:]
	for i := range z.leaps {
		z.leaps[i] = leap{trans: word(p[i*(size+4):]), corr: int64(int32(binary.BigEndian.Uint32(p[i*(size+4)+size:])))}
	}
	p = p[c.leap*(size+4)+c.isstd+c.isut:]
	if size == 8 && len(p) > 1 && p[0] == '\n' {
		for i := 1; i < len(p); i++ {
			if p[i] == '\n' {
				z.footer = string(p[1:i])
				break
			}
		}
	}
	return z, nil
}

// typeAt is glibc's choice of local time type for t within the transition
// table (t before the last transition), or before the first transition the
// first standard-time type.
func (z *tzif) typeAt(t int64) ttinfo {
	if len(z.trans) == 0 || t < z.trans[0] {
		for _, ty := range z.types {
			if !ty.isdst {
				return ty
			}
		}
		return z.types[0]
	}
	lo, hi := 0, len(z.trans) // trans[lo] <= t < trans[hi]
	for lo+1 < hi {
		m := (lo + hi) / 2
		if t < z.trans[m] {
			hi = m
		} else {
			lo = m
		}
	}
	return z.types[z.idx[lo]]
}
