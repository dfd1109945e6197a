package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// memory is a process's resident set as Linux reports it in
// /proc/<pid>/status: VmRSS now and VmHWM, its peak since the process started
// (the figure issue 16 bounds: the peak is what the machine must hold).
type memory struct {
	rssKB, hwmKB int64
}

// readMemory reads /proc/<pid>/status.
func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	return parseStatus(string(b))
}

// parseStatus finds VmRSS and VmHWM ("VmRSS:\t  123456 kB") in a
// /proc/<pid>/status text; both must be there.
func parseStatus(status string) (memory, error) {
	var m memory
	var seen int
	s := bufio.NewScanner(strings.NewReader(status))
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) != 2 || f[1] != "kB" {
			return memory{}, fmt.Errorf("%s: %q is not like \"123456 kB\"", k, strings.TrimSpace(v))
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil || n < 0 {
			return memory{}, fmt.Errorf("%s: %q is not a size", k, f[0])
		}
		if k == "VmRSS" {
			m.rssKB, seen = n, seen|1
		} else {
			m.hwmKB, seen = n, seen|2
		}
	}
	if seen != 3 {
		return memory{}, fmt.Errorf("no VmRSS and VmHWM in the process status (a kernel thread, or not Linux)")
	}
	return m, nil
}

// mb is a size in kB as megabytes (10^6 bytes) with one decimal.
func mb(kB int64) string {
	return strconv.FormatFloat(float64(kB)*1024/1e6, 'f', 1, 64) + " MB"
}

// String is "VmRSS 123.4 MB, VmHWM 234.5 MB (peak)".
func (m memory) String() string {
	return "VmRSS " + mb(m.rssKB) + ", VmHWM " + mb(m.hwmKB) + " (peak)"
}
