package lean

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFindsSibling(t *testing.T) {
	root := t.TempDir()
	ours, other, links, noexec := filepath.Join(root, "ours"), filepath.Join(root, "other"), filepath.Join(root, "links"), filepath.Join(root, "noexec")
	for _, d := range []string{ours, other, links, noexec} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{ours + "/svscan", ours + "/supervise", other + "/supervise"} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(noexec+"/supervise", []byte("#!/bin/sh\n"), 0o644)
	os.Symlink(ours+"/supervise", links+"/supervise")
	self := ours + "/svscan"
	for _, c := range []struct {
		path string
		want bool
	}{
		{ours + ":" + other, true},
		{other + ":" + ours, false},
		{links + ":" + other, true}, // a symlink to ours is ours
		{noexec + ":" + ours, true}, // exec passes over a file it may not run
		{root + ":" + ours, true},   // and over a missing one
		{".:" + ours, true},         // "." has no supervise here
		{other, false},
		{root, false},
	} {
		if got := findsSibling(self, "supervise", []string{"PATH=" + c.path}); got != c.want {
			t.Errorf("PATH=%s: %v, want %v", c.path, got, c.want)
		}
	}
	// A relative element that finds it is not trusted: the child resolves
	// it from another directory.
	t.Chdir(ours)
	if findsSibling(self, "supervise", []string{"PATH=."}) {
		t.Error("relative PATH element trusted")
	}
}
