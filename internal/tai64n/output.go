package tai64n

import (
	"bytes"
	"io"
)

// flushAt bounds the output kept between reads.
const flushAt = 256 << 10

// Output is the output of a line filter (tai64n, tai64nlocal): what it
// makes of one read is collected in B and written before the next read,
// so that nothing read waits for more input, and written early once it
// passes flushAt.
type Output struct {
	W io.Writer
	B []byte
}

// NewOutput returns an Output to w with room for size bytes.
func NewOutput(w io.Writer, size int) *Output {
	return &Output{W: w, B: make([]byte, 0, size)}
}

// Line copies p up to and including its first newline (all of p if it has
// none) and returns the rest, and whether a line ended.
func (o *Output) Line(p []byte) (rest []byte, ended bool, err error) {
	i := bytes.IndexByte(p, '\n')
	if i < 0 {
		o.B = append(o.B, p...)
		return nil, false, nil
	}
	o.B = append(o.B, p[:i+1]...)
	if len(o.B) >= flushAt {
		err = o.flush()
	}
	return p[i+1:], true, err
}

// EndRead writes out what one read produced and reports, from that read's
// error rerr, whether the filter is done: at EOF (with a nil error), on a
// read error, or on a write error.
func (o *Output) EndRead(rerr error) (done bool, err error) {
	if err := o.flush(); err != nil {
		return true, err
	}
	if rerr == io.EOF {
		return true, nil
	}
	return rerr != nil, rerr
}

func (o *Output) flush() error {
	if len(o.B) == 0 {
		return nil
	}
	_, err := o.W.Write(o.B)
	o.B = o.B[:0]
	return err
}
