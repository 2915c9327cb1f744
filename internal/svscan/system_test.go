package svscan

import (
	"os"
	"sort"
	"testing"

	"golang.org/x/sys/unix"
)

func TestRealReadDirAndStat(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(dir+"/d", 0o755)
	os.WriteFile(dir+"/f", nil, 0o644)
	os.Symlink("d", dir+"/l")
	os.Symlink("missing", dir+"/dangling")
	long := string(make([]byte, 0, 255))
	for i := 0; i < 255; i++ {
		long += "x"
	}
	os.Mkdir(dir+"/"+long, 0o755)
	t.Chdir(dir)
	home, err := unix.Open(".", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(home)
	sys := NewSystem(home, nil)
	ents, err := sys.ReadDir()
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]uint8{}
	var names []string
	for _, e := range ents {
		types[e.Name] = e.Type
		names = append(names, e.Name)
	}
	sort.Strings(names)
	if len(names) != 7 || types["."] != unix.DT_DIR || types["d"] != unix.DT_DIR || types["l"] != unix.DT_LNK || types["f"] != unix.DT_REG || types[long] != unix.DT_DIR {
		t.Fatalf("entries %q types %v", names, types)
	}
	idD, dirD, err := sys.Stat("d")
	idL, dirL, err2 := sys.Stat("l")
	if err != nil || err2 != nil || !dirD || !dirL || idD != idL {
		t.Errorf("stat d %v %v %v, l %v %v %v", idD, dirD, err, idL, dirL, err2)
	}
	for _, e := range ents {
		if e.Name == "d" && e.Ino != idD.Ino {
			t.Errorf("d_ino %d, st_ino %d", e.Ino, idD.Ino)
		}
	}
	if _, _, err := sys.Stat("dangling"); err != unix.ENOENT {
		t.Errorf("dangling: %v", err)
	}

	// StatLog: any file type is a log, through symlinks, without allocating.
	os.WriteFile(dir+"/d/log", nil, 0o644)
	if err := sys.StatLog("l"); err != nil {
		t.Errorf("l/log: %v", err)
	}
	if err := sys.StatLog(long); err != unix.ENOENT {
		t.Errorf("%s/log: %v", long, err)
	}
	if n := testing.AllocsPerRun(100, func() { sys.StatLog("l") }); n != 0 {
		t.Errorf("StatLog allocates %v times", n)
	}
}
