// Package tai64 encodes and decodes TAI64 and TAI64N labels the way
// daemontools 0.76 makes them.
//
// A TAI64 label is 2^62 + 10 + the UNIX seconds, big-endian in 8 bytes: like
// daemontools, it takes the UNIX clock to count TAI seconds since
// 1970-01-01 00:00:10 TAI and ignores leap seconds. A TAI64N label adds 4
// big-endian bytes of nanoseconds. daemontools derives nanoseconds from
// gettimeofday as microseconds*1000 + 500, so every label it makes ends in
// ...500 ns; Now does the same so that outputs match byte for byte.
//
// The external form is '@' and the 12 bytes as 24 lowercase hex digits.
package tai64

import (
	"encoding/binary"
	"time"
)

// Offset is what daemontools adds to UNIX seconds to get TAI64 seconds.
const Offset = 1<<62 + 10

// Size is the packed size of a TAI64N label; TextSize its '@'+hex form.
const (
	Size     = 12
	TextSize = 1 + 2*Size
)

// N is a TAI64N label: TAI64 seconds and nanoseconds.
type N struct {
	Sec  uint64
	Nano uint32
}

// Now returns the current time as daemontools labels it (nanoseconds = µs*1000+500).
func Now() N { return FromTime(time.Now()) }

// FromTime labels t with daemontools' microsecond resolution and +500 ns.
func FromTime(t time.Time) N {
	return N{Sec: uint64(t.Unix()) + Offset, Nano: uint32(t.Nanosecond()/1000*1000 + 500)}
}

// FromUnix labels UNIX seconds and nanoseconds exactly, without the +500 quirk.
func FromUnix(sec int64, nsec int) N {
	return N{Sec: uint64(sec) + Offset, Nano: uint32(nsec)}
}

// Unix returns the UNIX seconds of the label (label seconds − 2^62 − 10).
func (n N) Unix() int64 { return int64(n.Sec - Offset) }

// Time returns the label as a time.Time.
func (n N) Time() time.Time { return time.Unix(n.Unix(), int64(n.Nano)) }

// Pack writes the 12-byte big-endian form into b, which must hold Size bytes.
func (n N) Pack(b []byte) {
	binary.BigEndian.PutUint64(b[0:8], n.Sec)
	binary.BigEndian.PutUint32(b[8:12], n.Nano)
}

// Unpack reads a 12-byte big-endian label from b.
func Unpack(b []byte) N {
	return N{Sec: binary.BigEndian.Uint64(b[0:8]), Nano: binary.BigEndian.Uint32(b[8:12])}
}

const hexdigits = "0123456789abcdef"

// Append appends '@' and 24 lowercase hex digits to dst.
func (n N) Append(dst []byte) []byte {
	var b [TextSize]byte
	n.Format(b[:])
	return append(dst, b[:]...)
}

// Format writes '@' and 24 lowercase hex digits into b, which must hold
// TextSize bytes. It does not allocate.
func (n N) Format(b []byte) {
	_ = b[TextSize-1]
	b[0] = '@'
	for i := 0; i < 16; i++ {
		b[16-i] = hexdigits[(n.Sec>>(4*uint(i)))&15]
	}
	for i := 0; i < 8; i++ {
		b[24-i] = hexdigits[(n.Nano>>(4*uint(i)))&15]
	}
}

// String returns the external form '@' + 24 hex digits.
func (n N) String() string { return string(n.Append(nil)) }

// Parse decodes the external form: '@' followed by exactly 24 lowercase or
// uppercase hex digits. It reports false for anything else.
func Parse(s []byte) (N, bool) {
	if len(s) != TextSize || s[0] != '@' {
		return N{}, false
	}
	var sec uint64
	var nano uint32
	for i := 1; i < TextSize; i++ {
		d, ok := unhex(s[i])
		if !ok {
			return N{}, false
		}
		if i <= 16 {
			sec = sec<<4 | uint64(d)
		} else {
			nano = nano<<4 | uint32(d)
		}
	}
	return N{Sec: sec, Nano: nano}, true
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// Add returns n moved by d.
func (n N) Add(d time.Duration) N {
	ns := int64(n.Nano) + int64(d%time.Second)
	sec := int64(d / time.Second)
	if ns < 0 {
		ns += int64(time.Second)
		sec--
	} else if ns >= int64(time.Second) {
		ns -= int64(time.Second)
		sec++
	}
	return N{Sec: uint64(int64(n.Sec) + sec), Nano: uint32(ns)}
}
