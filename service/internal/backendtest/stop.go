package backendtest

import (
	"syscall"
	"time"
)

// stopGroup asks a server's process group to stop with signal and waits for done; a server that
// is still there after grace is killed, so a test never hangs on a stuck server.
func stopGroup(pid int, signal syscall.Signal, grace time.Duration, done <-chan struct{}) {
	_ = syscall.Kill(-pid, signal)
	select {
	case <-done:
	case <-time.After(grace):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
}
