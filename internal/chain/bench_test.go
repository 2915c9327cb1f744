package chain_test

import (
	"os/exec"
	"testing"

	"github.com/daemontools-go/daemontools/internal/testutil"
)

// BenchmarkChain times one run of each program with /bin/true as the
// child, ours against 0.76's (go test -bench Chain -run ^$ ./internal/chain).
// The difference is mostly the Go runtime's start-up.
func BenchmarkChain(b *testing.B) {
	dir := b.TempDir()
	for _, p := range chainPrograms(b, dir) {
		for _, impl := range []struct {
			name string
			path func(testing.TB, string) string
		}{{"ours", testutil.Bin}, {"0.76", testutil.Debian}} {
			b.Run(p[0]+"/"+impl.name, func(b *testing.B) {
				args := append(append([]string(nil), p[1:]...), "/bin/true")
				path := impl.path(b, p[0])
				for b.Loop() {
					cmd := exec.Command(path, args...)
					cmd.Dir = dir
					if err := cmd.Run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
