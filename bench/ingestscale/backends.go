package ingestscale

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// backendCPU follows the PostgreSQL backends that serve one client
// process: a backend's title names its client's address and port
// ("postgres: 15/main: user db 127.0.0.1(45698) idle"), and the client's
// open sockets say which ports are its own. Sampled while the run goes
// (a backend's time is lost when it exits), its total is the CPU the
// server spent for that client alone, whoever else uses the server.
type backendCPU struct {
	server, client int
	mu             sync.Mutex
	ports          map[int]bool   // the client's local TCP ports seen
	backends       map[int]int    // backend pid -> its client's port
	ticks          map[int]uint64 // backend pid -> CPU ticks at its last sample
}

func newBackendCPU(server, client int) *backendCPU {
	return &backendCPU{server: server, client: client, ports: map[int]bool{},
		backends: map[int]int{}, ticks: map[int]uint64{}}
}

var backendPort = regexp.MustCompile(`\((\d+)\)`)

// sample records the client's ports and its backends' CPU now.
func (b *backendCPU) sample() {
	if b == nil || b.server == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for port := range clientPorts(b.client) {
		b.ports[port] = true
	}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		ppid, ticks, ok := procTicks(pid)
		if !ok || ppid != b.server {
			continue
		}
		if _, known := b.backends[pid]; !known {
			title, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
			m := backendPort.FindSubmatch(title)
			if m == nil {
				continue // not a client backend (checkpointer, walwriter…)
			}
			port, _ := strconv.Atoi(string(m[1]))
			b.backends[pid] = port
		}
		b.ticks[pid] = ticks
	}
}

// total is the CPU of the backends whose client port was the client's.
func (b *backendCPU) total() time.Duration {
	if b == nil || b.server == 0 {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var ticks uint64
	for pid, port := range b.backends {
		if b.ports[port] {
			ticks += b.ticks[pid]
		}
	}
	const hz = 100 // USER_HZ on Linux
	return time.Duration(ticks) * time.Second / hz
}

// procTicks is a process's parent and its user+system CPU in clock ticks.
func procTicks(pid int) (ppid int, ticks uint64, ok bool) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	i := strings.LastIndexByte(string(stat), ')') // the command name may hold spaces
	f := strings.Fields(string(stat[i+1:]))
	if i < 0 || len(f) < 13 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	u, _ := strconv.ParseUint(f[11], 10, 64)
	s, _ := strconv.ParseUint(f[12], 10, 64)
	return ppid, u + s, true
}

// clientPorts is the set of local TCP ports of process pid's open sockets.
func clientPorts(pid int) map[int]bool {
	inodes := map[string]bool{}
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	fds, _ := os.ReadDir(dir)
	for _, fd := range fds {
		if l, err := os.Readlink(filepath.Join(dir, fd.Name())); err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	ports := map[int]bool{}
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/net/" + table)
		if err != nil {
			continue
		}
		for line := range strings.SplitSeq(string(b), "\n") {
			f := strings.Fields(line)
			// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
			if len(f) < 10 || !inodes[f[9]] {
				continue
			}
			if j := strings.LastIndexByte(f[1], ':'); j >= 0 {
				if port, err := strconv.ParseInt(f[1][j+1:], 16, 32); err == nil {
					ports[int(port)] = true
				}
			}
		}
	}
	return ports
}
