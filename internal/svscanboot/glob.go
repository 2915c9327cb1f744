package svscanboot

import (
	"os"
	"sort"
)

// Leftovers expands `dir/*` and `dir/*/log` as /bin/sh does for the
// script's `svc -dx dir/* dir/*/log`: names starting with a dot are not
// matched (so svscan's lock file is left alone), matches are sorted, a
// `log` counts if it exists at all (even as a dangling symlink), and a
// pattern that matches nothing stands for itself.
func Leftovers(dir string) (mains, logs []string) {
	names := visibleNames(dir)
	for _, n := range names {
		mains = append(mains, dir+"/"+n)
		if _, err := os.Lstat(dir + "/" + n + "/log"); err == nil {
			logs = append(logs, dir+"/"+n+"/log")
		}
	}
	if len(mains) == 0 {
		mains = []string{dir + "/*"}
	}
	if len(logs) == 0 {
		logs = []string{dir + "/*/log"}
	}
	return mains, logs
}

func visibleNames(dir string) []string {
	f, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer f.Close()
	all, _ := f.Readdirnames(-1)
	names := all[:0]
	for _, n := range all {
		if n != "" && n[0] != '.' {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}
