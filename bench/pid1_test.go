package main

import "testing"

func TestCountZombies(t *testing.T) {
	// 1 ─ 10 (scanner) ─ 11 ─ 12 (Z)
	//                  └ 13 (Z)
	// 1 ─ 20 (Z), not below the scanner
	parent := map[int]int{10: 1, 11: 10, 12: 11, 13: 10, 20: 1}
	state := map[int]byte{10: 'S', 11: 'S', 12: 'Z', 13: 'Z', 20: 'Z'}
	if got := countZombies(parent, state, 10); got != 2 {
		t.Errorf("countZombies = %d, want 2", got)
	}
	// A cycle in a torn read of /proc must not hang.
	if got := countZombies(map[int]int{5: 6, 6: 5}, map[int]byte{5: 'Z'}, 10); got != 0 {
		t.Errorf("cycle: countZombies = %d, want 0", got)
	}
}

func TestSlug(t *testing.T) {
	if got := slug(oursC); got != "oursC" {
		t.Errorf("slug(%q) = %q", oursC, got)
	}
}
