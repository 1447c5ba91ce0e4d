// Command loadgate-service is the reference system under test for the
// loadgate k6 suite: a small clips/comments/votes/challenges API over
// SQLite with an HTTP and a gRPC event-ingestion path.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	var uerr usageError
	switch {
	case err == nil:
	case errors.As(err, &uerr):
		fmt.Fprintln(os.Stderr, "loadgate-service:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "loadgate-service:", err)
		os.Exit(1)
	}
}
