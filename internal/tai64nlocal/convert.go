// Package tai64nlocal turns the TAI64N labels at the start of lines into
// local time, as daemontools' tai64nlocal does with glibc's localtime:
// "@4000000037c219bf2ef02e94 mark" becomes
// "1999-08-24 04:04:05.787492500 mark" in UTC.
package tai64nlocal

import (
	"io"

	"github.com/daemontools-go/daemontools/internal/tai64n"
)

// BlockSize is how much input Convert reads at a time.
const BlockSize = 128 << 10

// maxLabel caps the '@' and hex digits kept to print a bad label
// unchanged; a longer label is copied unchanged whatever it holds.
const maxLabel = 64 << 10

// Convert copies in to out. A line whose first byte is '@' has the
// lowercase hex digits after it read as a label: the last 8 digits are
// nanoseconds, the earlier ones TAI64 seconds. The '@' and the digits are
// replaced by the local time; the character that ended them and the rest
// of the line follow unchanged. Where 0.76 crashes (a time whose year does
// not fit in a C int, such as "@ x", "@1 x" or uppercase hex), the line is
// copied unchanged. A label cut by EOF prints nothing, as in 0.76. Output
// is written before every read. It returns nil at EOF, else the first
// read or write error.
func Convert(in io.Reader, out io.Writer, z *Zone) error {
	c := newConverter(z)
	buf := make([]byte, BlockSize)
	o := tai64n.NewOutput(out, BlockSize+BlockSize/2)
	const (
		lineStart = iota
		label
		rest
	)
	state := lineStart
	var sec uint64
	var nano uint32
	raw := make([]byte, 0, 64) // '@' and the digits, while in a label
	for {
		n, rerr := in.Read(buf)
		p := buf[:n]
		for len(p) > 0 {
			switch state {
			case lineStart:
				if p[0] != '@' {
					state = rest
					continue
				}
				state, sec, nano = label, 0, 0
				raw = append(raw[:0], '@')
				p = p[1:]
			case label:
				i := 0
				for ; i < len(p); i++ {
					u := hexValue(p[i])
					if u > 15 {
						break
					}
					sec = sec<<4 + uint64(nano>>28)
					nano = nano<<4 + uint32(u)
				}
				if len(raw)+i > maxLabel { // not worth converting: copy it all
					o.B = append(o.B, raw...)
					state = rest
					continue
				}
				raw = append(raw, p[:i]...)
				p = p[i:]
				if len(p) == 0 {
					break // the label goes on in the next block
				}
				var ok bool
				if o.B, ok = c.appendLocal(o.B, sec, nano); !ok {
					o.B = append(o.B, raw...)
				}
				state = rest
			case rest:
				var ended bool
				var err error
				if p, ended, err = o.Line(p); err != nil {
					return err
				}
				if ended {
					state = lineStart
				}
			}
		}
		if done, err := o.EndRead(rerr); done {
			return err
		}
	}
}

// hexValue is the value of a lowercase hex digit, or 16 and above.
func hexValue(c byte) byte {
	if c-'0' < 10 {
		return c - '0'
	}
	if c-'a' < 6 {
		return c - 'a' + 10
	}
	return 16
}
