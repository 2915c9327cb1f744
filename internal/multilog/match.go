package multilog

import "bytes"

// Match reports whether line matches pattern as 0.76's match() decides it:
// left to right, no backtracking. An ordinary character must equal the next
// line byte; '*' at the end of the pattern matches the rest of the line;
// '*' followed by c skips line bytes up to the first c (failing if there is
// none) and matching resumes at c. The pattern must consume the whole line.
func Match(pattern string, line []byte) bool {
	p := 0
	for {
		if p == len(pattern) {
			return len(line) == 0
		}
		ch := pattern[p]
		p++
		if ch == '*' {
			if p == len(pattern) {
				return true
			}
			i := bytes.IndexByte(line, pattern[p])
			if i < 0 {
				return false
			}
			line = line[i:]
			continue
		}
		if len(line) == 0 || line[0] != ch {
			return false
		}
		line = line[1:]
	}
}
