package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/daemontools-go/daemontools/bench/internal/proc"
)

var sprintf = fmt.Sprintf

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// machineInfo describes the machine and the software compared.
func machineInfo(root string) []string {
	var u unix.Utsname
	unix.Uname(&u) //nolint:errcheck // zero on failure
	kernel := string(bytes.TrimRight(u.Release[:], "\x00"))
	out := []string{
		"CPU: " + cpuModel() + sprintf(", %d CPUs online (nproc)", runtime.NumCPU()),
		"kernel: Linux " + kernel + ", " + string(bytes.TrimRight(u.Machine[:], "\x00")),
		"memory: " + memTotal(),
		"Go: " + runtime.Version(),
	}
	for _, p := range []string{"daemontools", "runit", "s6"} {
		out = append(out, p+": Debian package "+pkgVersion(p))
	}
	out = append(out, "ours: "+gitDescribe(root))
	return out
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func memTotal() string {
	b, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			var kb int64
			fmt.Sscan(v, &kb) //nolint:errcheck // 0 on failure
			return sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return "?"
}

// pkgVersion asks dpkg's status file (no subprocess: the harness reaps all
// its children itself, and this runs before anything else is started).
func pkgVersion(name string) string {
	b, err := os.ReadFile("/var/lib/dpkg/status")
	if err != nil {
		return "?"
	}
	for _, para := range strings.Split(string(b), "\n\n") {
		if !strings.HasPrefix(para, "Package: "+name+"\n") {
			continue
		}
		for _, line := range strings.Split(para, "\n") {
			if v, ok := strings.CutPrefix(line, "Version: "); ok {
				return v
			}
		}
	}
	return "not installed"
}

// gitDescribe names the commit being measured.
func gitDescribe(root string) string {
	git, err := exec.LookPath("git")
	if err != nil {
		return "?"
	}
	out, res, err := proc.Output(proc.Spec{Argv: []string{git, "-C", root, "log", "-1", "--format=%h %s (%cs)"}}, time.Minute)
	if err != nil || !res.Ok() {
		return "?"
	}
	return strings.TrimSpace(string(out))
}
