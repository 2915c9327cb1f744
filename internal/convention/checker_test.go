package convention

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// A library with one breach of each rule, and the allowed forms beside
// them; a command (package main) may exit.
const libSrc = `package lib

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"

	"golang.org/x/sys/unix"
)

const lock = "supervise/lock"

var quit = unix.Exit

func f(err error, dir string) int {
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	switch err.(type) {
	case unix.Errno:
		os.Exit(1)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return 2
	}
	var v any = err
	if _, ok := v.(error); ok {
		return 3
	}
	os.Stat(filepath.Join(dir, "down"))
	os.Stat(filepath.Join(dir, "status"))
	os.Stat(dir + "/timeout-kill")
	println("unable to open supervise/ok", "down", ".svscan.lock")
	return 0
}
`

const mainSrc = `package main

import "os"

func main() { os.Exit(run()) }

func run() int { os.Exit(2); return 0 }
`

const layoutSrc = `package layout

const (
	Run = "run"
	Down = "down"
	TimeoutKill = "timeout-kill"
	Lock = "supervise/lock"
	ScanLock = ".svscan.lock"
)
`

func TestCheckerFinds(t *testing.T) {
	_, _, exports := module(t)
	root := t.TempDir()
	for name, src := range map[string]string{"lib/lib.go": libSrc, "cmd/x/main.go": mainSrc} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c, err := newChecker(root, exports, []byte(layoutSrc))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.checkPackage("example.com/m/lib", "lib", filepath.Join(root, "lib"), []string{"lib.go"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.checkPackage("example.com/m/cmd/x", "main", filepath.Join(root, "cmd/x"), []string{"main.go"}, nil); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range c.found {
		got = append(got, v.String())
	}
	want := []string{
		`lib/lib.go:12: ` + ruleText[ruleName] + `: "supervise/lock"`,
		`lib/lib.go:14: ` + ruleText[ruleExit] + `: golang.org/x/sys/unix.Exit`,
		`lib/lib.go:22: ` + ruleText[ruleExit] + `: os.Exit`,
		`lib/lib.go:17: ` + ruleText[ruleAssert] + `: err.(*exec.ExitError)`,
		`lib/lib.go:20: ` + ruleText[ruleAssert] + `: err.(type)`,
		`lib/lib.go:32: ` + ruleText[ruleName] + `: "down"`,
		`lib/lib.go:34: ` + ruleText[ruleName] + `: "/timeout-kill"`,
		`lib/lib.go:35: ` + ruleText[ruleName] + `: ".svscan.lock"`, // not "down", not the message
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("found\n%q\nwant\n%q", got, want)
	}

	bad, stale := sift(c.found, []allow{
		{"lib/lib.go", ruleName, `"supervise/lock"`},
		{"lib/lib.go", ruleExit, "os.Exit"},
		{"lib/other.go", ruleExit, "os.Exit"},
	})
	if len(bad) != len(want)-2 || !slices.Equal(stale, []allow{{"lib/other.go", ruleExit, "os.Exit"}}) {
		t.Errorf("sift: %d not allowed, stale %q", len(bad), stale)
	}
}
