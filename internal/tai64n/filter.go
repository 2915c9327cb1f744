package tai64n

import "io"

// BlockSize is how much input Filter reads at a time.
const BlockSize = 128 << 10

// Filter copies in to out, writing '@', a TAI64N label and a space before
// every line: the time its first byte was read (empty lines are labelled
// too; a final line without '\n' is copied without adding one).
// Output is written before every read, so nothing read waits for more
// input. It returns nil at EOF and the first read or write error.
func Filter(in io.Reader, out io.Writer, s *Stamper) error {
	buf := make([]byte, BlockSize)
	o := NewOutput(out, BlockSize+BlockSize/4)
	atStart := true
	for {
		n, rerr := in.Read(buf)
		p := buf[:n]
		if n > 0 {
			s.Tick()
		}
		for len(p) > 0 {
			if atStart {
				o.B = append(o.B, s.Label()...)
			}
			var err error
			if p, atStart, err = o.Line(p); err != nil {
				return err
			}
		}
		if done, err := o.EndRead(rerr); done {
			return err
		}
	}
}
