package tai64n

import (
	"bytes"
	"io"
)

// BlockSize is how much input Filter reads at a time.
const BlockSize = 128 << 10

// flushAt bounds the output kept between reads.
const flushAt = 256 << 10

// Filter copies in to out, writing '@', a TAI64N label and a space before
// every line: the time its first byte was read (empty lines are labelled
// too; a final line without '\n' is copied without adding one).
// Output is written before every read, so nothing read waits for more
// input. It returns nil at EOF and the first read or write error.
func Filter(in io.Reader, out io.Writer, s *Stamper) error {
	buf := make([]byte, BlockSize)
	o := make([]byte, 0, BlockSize+BlockSize/4)
	atStart := true
	for {
		n, rerr := in.Read(buf)
		p := buf[:n]
		if n > 0 {
			s.Tick()
		}
		for len(p) > 0 {
			if atStart {
				o = append(o, s.Label()...)
			}
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				o = append(o, p...)
				atStart = false
				break
			}
			o = append(o, p[:i+1]...)
			p = p[i+1:]
			atStart = true
			if len(o) >= flushAt {
				if _, err := out.Write(o); err != nil {
					return err
				}
				o = o[:0]
			}
		}
		if len(o) > 0 {
			if _, err := out.Write(o); err != nil {
				return err
			}
			o = o[:0]
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}
