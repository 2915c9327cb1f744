package svscan

import (
	"strconv"

	"github.com/daemontools-go/daemontools/internal/proctitle"
)

func argBytes(s string) []byte { return proctitle.ArgBytes(s) }

// setTitle writes ": N up, M down" into svscan -C's title (see titlePad):
// `ps ax` shows `svscan -C DIR : 98 up, 2 down`.
func (sc *svscan) setTitle() {
	if sc.title == nil || sc.units == nil {
		return
	}
	up, down := sc.units.counts()
	b := sc.title[:0]
	b = append(b, ": "...)
	b = strconv.AppendInt(b, int64(up), 10)
	b = append(b, " up, "...)
	b = strconv.AppendInt(b, int64(down), 10)
	b = append(b, " down"...)
	for i := len(b); i < len(sc.title); i++ {
		sc.title[i] = ' '
	}
}
