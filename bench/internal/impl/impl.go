// Package impl describes the supervision suites the benchmark compares —
// ours, Debian's daemontools, runit and s6 — as the programs that play each
// role (scanner, supervisor, control, status, logger), the command lines
// that do the same job in each, and the status files that tell whether a
// service is up.
package impl

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/daemontools-go/daemontools/bench/internal/logcheck"
)

// Family is the design an implementation follows.
type Family int

const (
	DJB   Family = iota // daemontools: svscan, supervise, svc, svstat, multilog
	Runit               // runsvdir, runsv, sv, svlogd
	S6                  // s6-svscan, s6-supervise, s6-svc, s6-svstat, s6-log
)

// Impl is one implementation under test.
type Impl struct {
	Name   string // column name: "ours", "daemontools", "runit", "s6"
	Family Family
	Bin    string // directory holding its programs
	Path   string // PATH for its scanner, which finds the supervisor there
	// ScanBin, when set, holds the scanner used instead of Bin's: a stand-in
	// while an implementation has no scanner of its own yet.
	ScanBin string
	// TimeoutKill: the supervisor reads a timeout-kill file (milliseconds
	// after a stop request until SIGKILL): ours and s6-supervise.
	TimeoutKill bool
	// ScanOpts are options given to the scanner before its directory: -C
	// (our svscan supervises every service itself), -P (process 1's stop).
	ScanOpts []string
	// Consolidated: the scanner supervises its services itself (svscan -C):
	// its children are the services, not supervisors.
	Consolidated bool
}

// Role names a job that each family does with its own program.
type Role int

const (
	Scanner Role = iota
	Supervisor
	Control
	Status
	Logger
	Stamper   // tai64n: daemontools only
	Localizer // tai64nlocal: daemontools only
)

var programs = map[Family][]string{
	DJB:   {"svscan", "supervise", "svc", "svstat", "multilog", "tai64n", "tai64nlocal"},
	Runit: {"runsvdir", "runsv", "sv", "sv", "svlogd", "", ""},
	S6:    {"s6-svscan", "s6-supervise", "s6-svc", "s6-svstat", "s6-log", "", ""},
}

// Program is the name of the program that plays role, "" if none does.
func (i Impl) Program(r Role) string { return programs[i.Family][r] }

// Tool is the path of the program that plays role.
func (i Impl) Tool(r Role) string {
	if r == Scanner && i.ScanBin != "" {
		return filepath.Join(i.ScanBin, i.Program(r))
	}
	return filepath.Join(i.Bin, i.Program(r))
}

// Missing lists the programs for roles that are not installed.
func (i Impl) Missing(roles ...Role) []string {
	var out []string
	for _, r := range roles {
		name := i.Program(r)
		if name == "" {
			out = append(out, fmt.Sprintf("(no program for role %d)", r))
			continue
		}
		if st, err := os.Stat(i.Tool(r)); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			out = append(out, i.Tool(r))
		}
	}
	return out
}

// Has reports whether every program for roles is installed.
func (i Impl) Has(roles ...Role) bool { return len(i.Missing(roles...)) == 0 }

// Env is the environment for the implementation's scanner: PATH leads to its
// own supervisor first.
func (i Impl) Env() []string {
	return []string{"PATH=" + i.Path}
}

// ScanArgv runs the scanner over dir.
func (i Impl) ScanArgv(dir string) []string {
	if i.Family == S6 {
		// s6-svscan's default table holds 1000 services: room for the 1,000-service run.
		return []string{i.Tool(Scanner), "-c", "2000", dir}
	}
	return append(append([]string{i.Tool(Scanner)}, i.ScanOpts...), dir)
}

// SuperviseArgv runs one supervisor on dir.
func (i Impl) SuperviseArgv(dir string) []string {
	return []string{i.Tool(Supervisor), dir}
}

// PauseArgv, ContArgv and TermArgv send STOP, CONT and a restart-inducing
// TERM to the service in dir.
func (i Impl) PauseArgv(dir string) []string { return i.control(dir, "-p", "pause") }

// ContArgv resumes a paused service.
func (i Impl) ContArgv(dir string) []string { return i.control(dir, "-c", "cont") }

// TermArgv makes the service restart: svc -t, sv term, s6-svc -r.
func (i Impl) TermArgv(dir string) []string {
	if i.Family == S6 {
		return []string{i.Tool(Control), "-r", dir}
	}
	return i.control(dir, "-t", "term")
}

func (i Impl) control(dir, opt, verb string) []string {
	if i.Family == Runit {
		return []string{i.Tool(Control), verb, dir}
	}
	return []string{i.Tool(Control), opt, dir}
}

// StatusArgvs are the commands that print the status of dirs: one command
// for all of them, except s6-svstat, which takes a single directory.
func (i Impl) StatusArgvs(dirs ...string) [][]string {
	switch i.Family {
	case S6:
		out := make([][]string, len(dirs))
		for k, d := range dirs {
			out[k] = []string{i.Tool(Status), d}
		}
		return out
	case Runit:
		return [][]string{append([]string{i.Tool(Status), "status"}, dirs...)}
	}
	return [][]string{append([]string{i.Tool(Status)}, dirs...)}
}

// UpWord is what the status command prints for a running service.
func (i Impl) UpWord() string {
	if i.Family == Runit {
		return "run: "
	}
	return "up (pid "
}

// LogArgv runs the logger on dir with timestamps, files of at most size
// bytes and num files. svlogd takes size and num from dir/config, which
// LogSetup writes.
func (i Impl) LogArgv(dir string, size, num int) []string {
	switch i.Family {
	case Runit:
		return []string{i.Tool(Logger), "-tt", dir}
	case S6:
		return []string{i.Tool(Logger), "t", fmt.Sprintf("s%d", size), fmt.Sprintf("n%d", num), dir}
	}
	return []string{i.Tool(Logger), "t", fmt.Sprintf("s%d", size), fmt.Sprintf("n%d", num), dir}
}

// LogSetup prepares dir before the logger starts (svlogd's config file);
// the others create their directory themselves.
func (i Impl) LogSetup(dir string, size, num int) error {
	if i.Family != Runit {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config"), fmt.Appendf(nil, "s%d\nn%d\n", size, num), 0o644)
}

// Stamp is the timestamp the logger writes.
func (i Impl) Stamp() logcheck.Stamp {
	if i.Family == Runit {
		return logcheck.SvlogdStamp
	}
	return logcheck.TAI64NStamp
}
