package impl

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Status files as written by Debian's supervise 0.76, runit 2.1.2's runsv
// and s6 2.11's s6-supervise for a running `sleep`.
var (
	djbUp   = []byte{0x40, 0, 0, 0, 0x6b, 0x04, 0xf9, 0x82, 0x38, 0xb5, 0xcc, 0xa4, 0xca, 0x1f, 0, 0, 0, 'u'}
	runitUp = []byte{0x40, 0, 0, 0, 0x6b, 0x04, 0xf9, 0x82, 0x37, 0x70, 0xb5, 0xfc, 0xc7, 0x1f, 0, 0, 0, 'u', 0, 1}
	s6Up    = []byte{0x40, 0, 0, 0, 0x6b, 0x04, 0xf9, 0x9d, 0x38, 0x31, 0x30, 0x43, 0x40, 0, 0, 0, 0x6b, 0x04, 0xf9, 0x9d,
		0x37, 0x9e, 0x56, 0x67, 0, 0, 0, 0, 0, 0, 0x1f, 0xc9, 0, 0, 4}
)

func TestParseStatus(t *testing.T) {
	for _, c := range []struct {
		f    Family
		b    []byte
		want int
	}{
		{DJB, djbUp, 8138},
		{Runit, runitUp, 8135},
		{S6, s6Up, 8137},
	} {
		pid, err := ParseStatus(c.f, c.b)
		if err != nil || pid != c.want {
			t.Errorf("family %d: pid %d, %v; want %d", c.f, pid, err, c.want)
		}
		if _, err := ParseStatus(c.f, c.b[:len(c.b)-1]); err != ErrShort {
			t.Errorf("family %d: short file: %v", c.f, err)
		}
	}
	// runsv keeps the last pid while the service finishes: state 2 is not up.
	fin := slices.Clone(runitUp)
	fin[19] = 2
	if pid, _ := ParseStatus(Runit, fin); pid != 0 {
		t.Errorf("runit finishing: pid %d", pid)
	}
}

func TestPidReadsStatusFile(t *testing.T) {
	dir := t.TempDir()
	im := Impl{Name: "x", Family: DJB, Bin: dir}
	if pid := im.Pid(dir); pid != 0 {
		t.Errorf("no status file: pid %d", pid)
	}
	os.Mkdir(filepath.Join(dir, "supervise"), 0o700)
	os.WriteFile(filepath.Join(dir, "supervise", "status"), djbUp, 0o644)
	if pid := im.Pid(dir); pid != 8138 {
		t.Errorf("pid %d", pid)
	}
}

func TestCommandLines(t *testing.T) {
	dt := Impl{Family: DJB, Bin: "/b"}
	rn := Impl{Family: Runit, Bin: "/b"}
	s6 := Impl{Family: S6, Bin: "/b"}
	for _, c := range []struct {
		got  []string
		want string
	}{
		{dt.ScanArgv("/s"), "/b/svscan /s"},
		{rn.ScanArgv("/s"), "/b/runsvdir /s"},
		{s6.ScanArgv("/s"), "/b/s6-svscan -c 2000 /s"},
		{dt.PauseArgv("/d"), "/b/svc -p /d"},
		{rn.PauseArgv("/d"), "/b/sv pause /d"},
		{s6.ContArgv("/d"), "/b/s6-svc -c /d"},
		{dt.TermArgv("/d"), "/b/svc -t /d"},
		{rn.TermArgv("/d"), "/b/sv term /d"},
		{s6.TermArgv("/d"), "/b/s6-svc -r /d"},
		{dt.LogArgv("/l", 100000, 20), "/b/multilog t s100000 n20 /l"},
		{rn.LogArgv("/l", 100000, 20), "/b/svlogd -tt /l"},
		{s6.LogArgv("/l", 100000, 20), "/b/s6-log t s100000 n20 /l"},
		{rn.SuperviseArgv("/d"), "/b/runsv /d"},
	} {
		if got := strings.Join(c.got, " "); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
	if got := dt.StatusArgvs("/a", "/b"); len(got) != 1 || strings.Join(got[0], " ") != "/b/svstat /a /b" {
		t.Errorf("svstat: %q", got)
	}
	if got := rn.StatusArgvs("/a", "/b"); len(got) != 1 || strings.Join(got[0], " ") != "/b/sv status /a /b" {
		t.Errorf("sv status: %q", got)
	}
	if got := s6.StatusArgvs("/a", "/b"); len(got) != 2 || strings.Join(got[1], " ") != "/b/s6-svstat /b" {
		t.Errorf("s6-svstat: %q", got)
	}
}

func TestLogSetupAndMissing(t *testing.T) {
	dir := t.TempDir()
	rn := Impl{Family: Runit, Bin: dir}
	if err := rn.LogSetup(filepath.Join(dir, "log"), 100000, 20); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "log", "config")); string(b) != "s100000\nn20\n" {
		t.Errorf("svlogd config %q", b)
	}
	os.WriteFile(filepath.Join(dir, "runsv"), []byte("#!/bin/sh\n"), 0o755)
	os.WriteFile(filepath.Join(dir, "sv"), []byte("not executable"), 0o644)
	if m := rn.Missing(Supervisor, Control, Logger); len(m) != 2 || !strings.HasSuffix(m[0], "/sv") || !strings.HasSuffix(m[1], "/svlogd") {
		t.Errorf("Missing = %v", m)
	}
	if !rn.Has(Supervisor) || rn.Has(Stamper) {
		t.Error("Has is wrong")
	}
}

func TestScanBinStandsIn(t *testing.T) {
	im := Impl{Family: DJB, Bin: "/ours", ScanBin: "/usr/bin"}
	if im.Tool(Scanner) != "/usr/bin/svscan" || im.Tool(Supervisor) != "/ours/supervise" {
		t.Errorf("tools %s %s", im.Tool(Scanner), im.Tool(Supervisor))
	}
}
