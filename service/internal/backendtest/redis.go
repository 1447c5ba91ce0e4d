package backendtest

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNoRedis means the machine has no redis-server.
var ErrNoRedis = errors.New("redis-server not found on PATH (Debian package redis-server; make test installs it)")

// Redis is a running throwaway redis-server without persistence.
type Redis struct {
	Port int
	cmd  *exec.Cmd
	done chan struct{}
}

// StartRedis starts redis-server with a memory limit of maxMemory (e.g. "16mb").
func StartRedis(maxMemory string) (*Redis, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, ErrNoRedis
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	r := &Redis{Port: port, done: make(chan struct{})}
	r.cmd = exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--maxmemory", maxMemory, "--maxmemory-policy", "allkeys-lru")
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, _ := r.cmd.StdoutPipe()
	if err := r.cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan struct{})
	markReady := sync.OnceFunc(func() { close(ready) })
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "Ready to accept connections") {
				markReady()
			}
		}
	}()
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	select {
	case <-ready:
		return r, nil
	case <-r.done:
		return nil, fmt.Errorf("redis-server exited before it was ready")
	case <-time.After(30 * time.Second):
		r.Stop()
		return nil, fmt.Errorf("redis-server was not ready within 30 s")
	}
}

// URL is the server's redis:// address.
func (r *Redis) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.Port) }

// Stop ends the server.
func (r *Redis) Stop() {
	stopGroup(r.cmd.Process.Pid, syscall.SIGTERM, 10*time.Second, r.done)
}
