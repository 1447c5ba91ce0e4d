// Package backendtest starts throwaway PostgreSQL and Redis servers on free
// loopback ports for tests, and stops and removes them again.
package backendtest

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// ErrNotInstalled means the machine has no PostgreSQL server binaries.
var ErrNotInstalled = errors.New("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (Debian package postgresql; make test installs it)")

// Server is a running throwaway PostgreSQL.
type Server struct {
	dir  string
	port int
	cmd  *exec.Cmd
	done chan struct{}
	n    atomic.Int64
}

// BinDir is the newest /usr/lib/postgresql/<version>/bin holding initdb.
func BinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(dirs) == 0 {
		return "", ErrNotInstalled
	}
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(dirs[i]))))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(dirs[j]))))
		return vi < vj
	})
	return filepath.Dir(dirs[len(dirs)-1]), nil
}

// credential runs the server as the postgres user when we are root:
// PostgreSQL refuses to run as root.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the postgres user to run the server as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartPostgres initialises and starts a server; it is ready when Start returns.
func StartPostgres() (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "loadgate-pgtest-")
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	s := &Server{dir: dir, done: make(chan struct{})}
	run := func(name string, args ...string) *exec.Cmd {
		c := exec.Command(filepath.Join(bin, name), args...)
		c.Dir = dir
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true}
		return c
	}
	data := filepath.Join(dir, "data")
	if out, err := run("initdb", "-D", data, "-U", "loadgate", "--auth=trust", "--no-sync", "-E", "UTF8", "--no-locale").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	if s.port, err = freePort(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.cmd = run("postgres", "-D", data, "-p", strconv.Itoa(s.port), "-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir, "-c", "shared_preload_libraries=pg_stat_statements",
		"-c", "fsync=off", "-c", "synchronous_commit=off")
	stderr, _ := s.cmd.StderrPipe()
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ready := make(chan struct{})
	markReady := sync.OnceFunc(func() { close(ready) })
	lastLine := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		last := ""
		for sc.Scan() {
			last = sc.Text()
			if strings.Contains(last, "ready to accept connections") {
				markReady()
			}
		}
		lastLine <- last
	}()
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	select {
	case <-ready:
		return s, nil
	case <-s.done:
		s.Stop()
		return nil, fmt.Errorf("postgres exited before it was ready: %s", <-lastLine)
	case <-time.After(60 * time.Second):
		s.Stop()
		return nil, fmt.Errorf("postgres was not ready within 60 s")
	}
}

// URL of database name on this server.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://loadgate@127.0.0.1:%d/%s?sslmode=disable&connect_timeout=5", s.port, name)
}

// NewDatabase creates a fresh, empty database and returns its URL.
func (s *Server) NewDatabase() (string, error) {
	db, err := sql.Open("pgx", s.URL("postgres"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	name := fmt.Sprintf("t%d", s.n.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", err
	}
	return s.URL(name), nil
}

// Kill stops the server at once, the way a crash would.
func (s *Server) Kill() {
	_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
	<-s.done
}

// Stop shuts the server down (fast mode) and removes its files.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		stopGroup(s.cmd.Process.Pid, syscall.SIGINT, 15*time.Second, s.done)
	}
	os.RemoveAll(s.dir)
}
