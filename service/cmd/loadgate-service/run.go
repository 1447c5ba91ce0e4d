package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"

	"google.golang.org/grpc"

	"loadgate/service/internal/api"
	"loadgate/service/internal/auth"
	"loadgate/service/internal/cache"
	"loadgate/service/internal/fault"
	"loadgate/service/internal/grpcingest"
	"loadgate/service/internal/ingest"
	"loadgate/service/internal/metrics"
	"loadgate/service/internal/route"
	"loadgate/service/internal/store"
)

// version is reported by -version and /healthz; release builds set it
// with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// Shutdown budgets. The flush gets its own deadline so slow HTTP drains
// cannot eat the time needed to persist acknowledged events.
const (
	drainTimeout = 10 * time.Second
	flushTimeout = 30 * time.Second
)

// usageError marks bad flags or environment; main exits 2 for it.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

type config struct {
	addr, grpcAddr, debugAddr string
	dbPath, databaseURL       string
	dbMaxOpen, dbMaxIdle      int
	dbMaxLifetime, dbMaxIdleT time.Duration
	redisURL                  string
	seed                      int64
	flushInterval             time.Duration
	bufferLimit               int
	faults                    fault.Table
	faultHeaders              bool
	blockRate, mutexFraction  int
	secret                    []byte
	printVersion, printRoutes bool
	printMetrics              bool
	// flags is every flag with its default, for -flags.
	flags      []flagInfo
	printFlags bool
}

// flagInfo is one flag as -flags prints it: the TypeScript side checks the flags and defaults
// it passes (thresholds/service-contract.ts) against this.
type flagInfo struct {
	Name    string `json:"name"`
	Default string `json:"default"`
	Env     string `json:"env,omitempty"`
	Usage   string `json:"usage"`
}

// envFallbacks are the flags an environment variable sets when the command line does not.
var envFallbacks = map[string]string{
	"buffer-flush-interval": "BUFFER_FLUSH_INTERVAL",
	"buffer-size-limit":     "BUFFER_SIZE_LIMIT",
	"db-max-open-conns":     "DB_MAX_OPEN_CONNS",
	"db-max-idle-conns":     "DB_MAX_IDLE_CONNS",
	"db-conn-max-lifetime":  "DB_CONN_MAX_LIFETIME",
	"db-conn-max-idle-time": "DB_CONN_MAX_IDLE_TIME",
}

func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	cfg := config{faults: fault.Table{}}
	var secret string
	fs := flag.NewFlagSet("loadgate-service", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "HTTP API listen address")
	fs.StringVar(&cfg.grpcAddr, "grpc-addr", "127.0.0.1:9090", "gRPC listen address (empty disables)")
	fs.StringVar(&cfg.debugAddr, "debug-addr", "127.0.0.1:6060", "pprof and /debug/faults listen address (empty disables)")
	fs.StringVar(&cfg.dbPath, "db", "", "SQLite database file (empty: temp file removed on shutdown); reseeded on every start")
	fs.IntVar(&cfg.dbMaxOpen, "db-max-open-conns", 8, "max open connections (on SQLite of the read pool; writes use one connection) (env DB_MAX_OPEN_CONNS)")
	fs.IntVar(&cfg.dbMaxIdle, "db-max-idle-conns", -1, "max idle connections kept, and how many are opened at start (-1: as many as -db-max-open-conns) (env DB_MAX_IDLE_CONNS)")
	fs.DurationVar(&cfg.dbMaxLifetime, "db-conn-max-lifetime", 30*time.Minute, "close connections older than this (0: never) (env DB_CONN_MAX_LIFETIME)")
	fs.DurationVar(&cfg.dbMaxIdleT, "db-conn-max-idle-time", 5*time.Minute, "close connections idle longer than this (0: never) (env DB_CONN_MAX_IDLE_TIME)")
	fs.Int64Var(&cfg.seed, "seed", 1, "seed for the deterministic dataset")
	fs.DurationVar(&cfg.flushInterval, "buffer-flush-interval", time.Second, "event buffer flush interval (env BUFFER_FLUSH_INTERVAL)")
	fs.IntVar(&cfg.bufferLimit, "buffer-size-limit", 100000, "max buffered events before batches get 503 (env BUFFER_SIZE_LIMIT)")
	fs.Var(fault.DelayFlag{T: cfg.faults}, "fault-delay", "route=duration added latency, repeatable")
	fs.Var(fault.CPUFlag{T: cfg.faults}, "fault-cpu", "route=duration of CPU burned per request (shows in CPU profiles), repeatable")
	fs.Var(fault.ErrorRateFlag{T: cfg.faults}, "fault-error-rate", "route=rate (0..1) injected 500s, repeatable")
	fs.BoolVar(&cfg.faultHeaders, "fault-headers", false, "honour X-Fault-Delay / X-Fault-Error-Rate request headers")
	fs.IntVar(&cfg.blockRate, "block-profile-rate", 0, "runtime.SetBlockProfileRate (0 off)")
	fs.IntVar(&cfg.mutexFraction, "mutex-profile-fraction", 0, "runtime.SetMutexProfileFraction (0 off)")
	fs.BoolVar(&cfg.printVersion, "version", false, "print version and exit")
	fs.BoolVar(&cfg.printRoutes, "routes", false, "print the route names as a JSON array and exit")
	fs.BoolVar(&cfg.printMetrics, "metrics", false, "print the exported metric families as JSON and exit")
	fs.BoolVar(&cfg.printFlags, "flags", false, "print every flag with its default as JSON and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of loadgate-service:\n")
		fs.PrintDefaults()
		fmt.Fprintf(fs.Output(), "\nFault routes: %v\n", route.All)
		fmt.Fprintf(fs.Output(), "\nCredentials come from the environment, never flags (a command line is visible to every local user):\n")
		for _, c := range credentials {
			fmt.Fprintf(fs.Output(), "  %s (or %s_FILE, a file only its owner can read): %s\n", c.env, c.env, c.meaning)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, err
		}
		return cfg, usageError{err}
	}
	if fs.NArg() > 0 {
		return cfg, usageError{fmt.Errorf("unexpected arguments: %v", fs.Args())}
	}

	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	fs.VisitAll(func(f *flag.Flag) {
		cfg.flags = append(cfg.flags, flagInfo{Name: f.Name, Default: f.DefValue, Env: envFallbacks[f.Name], Usage: f.Usage})
	})
	// A flag on the command line beats its environment variable. Credentials have no flag at all
	// (credentials.go): a command line is readable by every local user.
	for name, env := range envFallbacks {
		if v := getenv(env); v != "" && !set[name] {
			if err := fs.Set(name, v); err != nil {
				return cfg, usageError{fmt.Errorf("invalid %s %q: %w", env, store.Redact(v), err)}
			}
		}
	}
	if cfg.dbMaxIdle == -1 {
		cfg.dbMaxIdle = cfg.dbMaxOpen
	}
	values, err := readCredentials(getenv)
	if err != nil {
		return cfg, usageError{err}
	}
	cfg.databaseURL, cfg.redisURL, secret = values["DATABASE_URL"], values["REDIS_URL"], values["LOADGATE_TARGET_SECRET"]
	switch {
	case cfg.flushInterval <= 0:
		return cfg, usageError{fmt.Errorf("buffer flush interval must be > 0, got %s", cfg.flushInterval)}
	case cfg.bufferLimit < 1:
		return cfg, usageError{fmt.Errorf("buffer size limit must be >= 1, got %d", cfg.bufferLimit)}
	case cfg.dbMaxOpen < 1:
		return cfg, usageError{fmt.Errorf("-db-max-open-conns must be >= 1, got %d", cfg.dbMaxOpen)}
	case cfg.dbMaxIdle < 0:
		return cfg, usageError{fmt.Errorf("-db-max-idle-conns must be >= 0 (or -1 for -db-max-open-conns), got %d", cfg.dbMaxIdle)}
	case cfg.dbMaxLifetime < 0 || cfg.dbMaxIdleT < 0:
		return cfg, usageError{errors.New("-db-conn-max-lifetime and -db-conn-max-idle-time must not be negative")}
	case cfg.dbPath != "" && cfg.databaseURL != "":
		return cfg, usageError{errors.New("-db (a SQLite file) and DATABASE_URL (PostgreSQL) exclude each other; give one")}
	case cfg.addr == "":
		return cfg, usageError{errors.New("-addr must not be empty")}
	}
	if secret != "" {
		cfg.secret = []byte(secret)
	} else {
		cfg.secret = make([]byte, 32)
		if _, err := rand.Read(cfg.secret); err != nil {
			return cfg, fmt.Errorf("generate token secret: %w", err)
		}
	}
	return cfg, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) (err error) {
	cfg, err := parseConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if cfg.printVersion {
		fmt.Fprintf(stdout, "loadgate-service %s\n", version)
		return nil
	}
	// The TypeScript suite reads this to check its endpoint table against the real binary.
	if cfg.printRoutes {
		return json.NewEncoder(stdout).Encode(route.All)
	}
	if cfg.printMetrics {
		return json.NewEncoder(stdout).Encode(metrics.All)
	}
	if cfg.printFlags {
		return json.NewEncoder(stdout).Encode(cfg.flags)
	}

	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	runtime.SetBlockProfileRate(cfg.blockRate)
	runtime.SetMutexProfileFraction(cfg.mutexFraction)

	reg := metrics.NewRegistry()
	m := metrics.New(reg)

	start := time.Now()
	st, err := store.Open(ctx, store.Options{
		DatabaseURL: cfg.databaseURL, Path: cfg.dbPath,
		MaxOpenConns: cfg.dbMaxOpen, MaxIdleConns: cfg.dbMaxIdle,
		ConnMaxLifetime: cfg.dbMaxLifetime, ConnMaxIdleTime: cfg.dbMaxIdleT,
		Observer: metrics.NewDB(reg),
	})
	if err != nil {
		return err
	}
	// Closing the DB is the last shutdown step; everything that writes to
	// it is stopped before this deferred call runs.
	defer func() {
		if cerr := st.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close db: %w", cerr))
		}
	}()
	if err := st.Seed(ctx, cfg.seed); err != nil {
		return err
	}
	goals, err := st.Goals(ctx)
	if err != nil {
		return err
	}
	warm, err := st.Warm(ctx, min(cfg.dbMaxIdle, cfg.dbMaxOpen))
	if err != nil {
		logger.Warn("connection pool warm-up stopped early", "opened", warm, "err", err)
	}
	// The run's statistics start here: seeding and warming are not load.
	if err := st.ResetStats(ctx); err != nil {
		logger.Warn("database statistics not reset; they include the seeding", "err", err)
	}
	logger.Info("database ready", "database", st.Where(), "seed", cfg.seed, "warm_connections", warm,
		"took", time.Since(start).String())
	reg.MustRegister(metrics.NewDBStatsCollector(st.Pools()))

	var ch cache.Cache = cache.None{}
	if cfg.redisURL != "" {
		rc, err := cache.NewRedis(ctx, cfg.redisURL, reg, logger)
		if err != nil {
			return err
		}
		defer rc.Close()
		ch = rc
		logger.Info("cache ready", "redis", store.Redact(cfg.redisURL))
	}

	signer, err := auth.NewSigner(cfg.secret)
	if err != nil {
		return err
	}
	faults := fault.NewInjector(cfg.faults, cfg.faultHeaders)

	ing, err := ingest.New(ingest.Config{
		FlushInterval: cfg.flushInterval,
		Limit:         cfg.bufferLimit,
		Goals:         goals,
		Writer:        st,
		Metrics:       m,
		Logger:        logger,
	})
	if err != nil {
		return usageError{err}
	}
	ing.Start()
	// Safety net for early returns; the normal path flushes explicitly
	// below, after the listeners are drained.
	ingestDone := false
	defer func() {
		if !ingestDone {
			fctx, cancel := context.WithTimeout(context.Background(), flushTimeout)
			defer cancel()
			_, _ = ing.Shutdown(fctx)
		}
	}()

	// Bind every listener before serving anything, so ":0" works and the
	// "listening" line carries real ports.
	var listeners []net.Listener
	closeListeners := func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}
	listen := func(addr string) (net.Listener, error) {
		if addr == "" {
			return nil, nil
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			closeListeners()
			return nil, fmt.Errorf("listen %s: %w", addr, err)
		}
		listeners = append(listeners, l)
		return l, nil
	}
	apiLn, err := listen(cfg.addr)
	if err != nil {
		return err
	}
	grpcLn, err := listen(cfg.grpcAddr)
	if err != nil {
		return err
	}
	debugLn, err := listen(cfg.debugAddr)
	if err != nil {
		return err
	}

	apiSrv := &http.Server{
		Handler: api.NewServer(api.Config{
			Store: st, Cache: ch, Ingest: ing, Auth: signer, Faults: faults, Metrics: m,
			Gatherer: reg, Logger: logger, Version: version,
		}),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		// Long enough for the largest injectable delay plus real work.
		WriteTimeout: fault.MaxDelay + 15*time.Second,
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	var debugSrv *http.Server
	if debugLn != nil {
		debugSrv = &http.Server{
			Handler:           debugMux(faults, st),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       15 * time.Second,
			// CPU profiles and traces stream for their whole duration.
			WriteTimeout: 5 * time.Minute,
			IdleTimeout:  120 * time.Second,
			ErrorLog:     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		}
	}
	var grpcSrv *grpc.Server
	if grpcLn != nil {
		grpcSrv = grpcingest.NewServer(ing, faults, m)
	}

	serveErr := make(chan error, 3)
	go func() { serveErr <- serveHTTP(apiSrv, apiLn, "api") }()
	if debugSrv != nil {
		go func() { serveErr <- serveHTTP(debugSrv, debugLn, "debug") }()
	}
	if grpcSrv != nil {
		go func() {
			if err := grpcSrv.Serve(grpcLn); err != nil {
				serveErr <- fmt.Errorf("serve grpc: %w", err)
			}
		}()
	}

	logger.Info("listening", "api", addrOf(apiLn), "grpc", addrOf(grpcLn), "debug", addrOf(debugLn))

	var runErr error
	select {
	case <-ctx.Done():
		logger.Info("shutting down", "cause", context.Cause(ctx).Error())
	case runErr = <-serveErr:
		logger.Error("server failed; shutting down", "err", runErr)
	}

	// 1. Stop accepting: drain HTTP and gRPC so no handler can still be
	// acknowledging events once intake closes.
	dctx, cancel := context.WithTimeout(context.Background(), drainTimeout)
	defer cancel()
	if err := apiSrv.Shutdown(dctx); err != nil {
		logger.Warn("api drain incomplete", "err", err)
		_ = apiSrv.Close()
	}
	if grpcSrv != nil {
		stopGRPC(dctx, grpcSrv)
	}
	if debugSrv != nil {
		if err := debugSrv.Shutdown(dctx); err != nil {
			_ = debugSrv.Close()
		}
	}

	// 2+3. Close intake and flush what was acknowledged, on a fresh
	// deadline.
	fctx, fcancel := context.WithTimeout(context.Background(), flushTimeout)
	defer fcancel()
	flushed, ferr := ing.Shutdown(fctx)
	ingestDone = true
	if ferr != nil {
		logger.Error("events lost on shutdown", "err", ferr)
		runErr = errors.Join(runErr, ferr)
	}

	// 4. The deferred st.Close runs after this line.
	logger.Info("shutdown complete", "events_flushed", flushed)
	return runErr
}

func serveHTTP(srv *http.Server, ln net.Listener, name string) error {
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", name, err)
	}
	return nil
}

// stopGRPC drains in-flight RPCs but gives up at ctx's deadline.
func stopGRPC(ctx context.Context, srv *grpc.Server) {
	done := make(chan struct{})
	go func() {
		srv.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		srv.Stop()
		<-done
	}
}

func addrOf(l net.Listener) string {
	if l == nil {
		return ""
	}
	return l.Addr().String()
}

// debugMux serves pprof and the runtime fault table. It is never mounted
// on the API listener: profiles and fault control must not be reachable
// by load traffic.
func debugMux(faults *fault.Injector, st *store.Store) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	// No /debug/pprof/cmdline: the listener has no authentication, and a command line is no one else's business.
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	ctl := fault.ControlHandler(faults)
	mux.Handle("GET /debug/faults", ctl)
	mux.Handle("PUT /debug/faults", ctl)
	// The database's own statistics and the slowest statement's plan, read
	// by the CLI at the end of a run for REPORT.md.
	mux.HandleFunc("GET /debug/db", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 30*time.Second)
		defer cancel()
		rep, err := st.Report(ctx)
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
			return
		}
		_ = json.NewEncoder(w).Encode(rep)
	})
	return mux
}
