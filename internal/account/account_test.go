package account

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

const passwd = `root:x:0:0:root:/root:/bin/bash
# comment:x:1:1::/:/bin/sh
   
  indented:x:7:8:lead space:/:/bin/sh
short:x:9
baduid:x:abc:1::/:/bin/sh
badgid:x:1:-1::/:/bin/sh
signed:x:+5:5::/:/bin/sh
big:x:4294967296:1::/:/bin/sh
max:x:4294967295:4294967294::/:/bin/sh
emptyid:x::1::/:/bin/sh
min:x:12:34
+nis:x:50:50::/:/bin/sh
-nis2:x:51:51::/:/bin/sh
:x:52:52::/:/bin/sh
dup:x:100:100::/:/bin/sh
dup:x:101:101::/:/bin/sh
baddup:x:z:1::/:/bin/sh
baddup:x:102:102::/:/bin/sh
crlf:x:103:104:::/bin/sh` + "\r" + `
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
last:x:200:201::/:/bin/sh` // no final newline

func TestFind(t *testing.T) {
	for _, c := range []struct {
		name     string
		uid, gid uint32
		ok       bool
	}{
		{"root", 0, 0, true},
		{"nobody", 65534, 65534, true},
		{"indented", 7, 8, true},
		{"min", 12, 34, true}, // gecos, home and shell may be missing
		{"max", 4294967295, 4294967294, true},
		{"dup", 100, 100, true},    // first line wins
		{"baddup", 102, 102, true}, // a malformed line is skipped
		{"crlf", 103, 104, true},
		{"last", 200, 201, true},
		{"# comment", 0, 0, false},
		{"comment", 0, 0, false},
		{"short", 0, 0, false},
		{"baduid", 0, 0, false},
		{"badgid", 0, 0, false},
		{"signed", 0, 0, false},
		{"big", 0, 0, false},
		{"emptyid", 0, 0, false},
		{"+nis", 0, 0, false},
		{"nis", 0, 0, false},
		{"-nis2", 0, 0, false},
		{"", 0, 0, false},
		{"Root", 0, 0, false},
		{"roo", 0, 0, false},
		{"root:x", 0, 0, false},
		{"nosuch", 0, 0, false},
	} {
		u, err := Find([]byte(passwd), c.name)
		if c.ok != (err == nil) || (c.ok && (u.UID != c.uid || u.GID != c.gid || u.Name != c.name)) {
			t.Errorf("Find(%q) = %+v, %v; want uid %d gid %d ok=%v", c.name, u, err, c.uid, c.gid, c.ok)
		}
		if err != nil && !errors.Is(err, ErrUnknown) {
			t.Errorf("Find(%q): error %v is not ErrUnknown", c.name, err)
		}
	}
}

func TestLookup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "passwd")
	if err := os.WriteFile(path, []byte(passwd), 0o644); err != nil {
		t.Fatal(err)
	}
	if u, err := Lookup(path, "nobody"); err != nil || u.UID != 65534 {
		t.Errorf("Lookup nobody = %+v, %v", u, err)
	}
	if _, err := Lookup(path+".missing", "root"); !errors.Is(err, ErrUnknown) {
		t.Errorf("missing file: %v, want ErrUnknown", err)
	}
	if _, err := Lookup(filepath.Dir(path), "root"); !errors.Is(err, ErrUnknown) {
		t.Errorf("directory: %v, want ErrUnknown", err)
	}
}

// The system's own file gives what the C library gives for root.
func TestLookupSystem(t *testing.T) {
	u, err := Lookup(PasswdFile, "root")
	if err != nil {
		t.Skipf("requires a root line in %s: %v", PasswdFile, err)
	}
	if u.UID != 0 {
		t.Errorf("root has uid %d", u.UID)
	}
}
