package main

import "testing"

// TestPrefix checks what the search attack types for a resident.
func TestPrefix(t *testing.T) {
	for name, want := range map[string]string{
		"Nguyễn Thị Thảo": "nguyen th",
		"Đặng Văn Đạt":    "dang da",
		"Lê":              "le",
	} {
		if got := prefix(name); got != want {
			t.Errorf("prefix(%q) = %q, want %q", name, got, want)
		}
	}
}
