// Package api is the target's JSON HTTP API.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"loadgate/service/internal/auth"
	"loadgate/service/internal/cache"
	"loadgate/service/internal/fault"
	"loadgate/service/internal/ingest"
	"loadgate/service/internal/metrics"
	"loadgate/service/internal/route"
	"loadgate/service/internal/store"
)

// Config holds the server's dependencies.
type Config struct {
	Store *store.Store
	// Cache defaults to cache.None.
	Cache    cache.Cache
	Ingest   *ingest.Ingestor
	Auth     *auth.Signer
	Faults   *fault.Injector
	Metrics  *metrics.Metrics
	Gatherer prometheus.Gatherer // served on GET /metrics
	Logger   *slog.Logger
	Version  string
	// Now defaults to time.Now; tests pin it.
	Now func() time.Time
}

type server struct {
	cfg Config
}

// NewServer returns the API handler.
func NewServer(cfg Config) http.Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Cache == nil {
		cfg.Cache = cache.None{}
	}
	s := &server{cfg: cfg}
	mux := http.NewServeMux()
	addRoutes(mux, s)
	return mux
}

// route wraps an API handler with fault injection and request metrics.
// The injected delay is inside the measured time on purpose: load tests
// use it to check that latency thresholds trip.
func (s *server) route(name string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.cfg.Metrics.HTTPInFlight.Inc()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		defer func() {
			s.cfg.Metrics.HTTPInFlight.Dec()
			elapsed := time.Since(start).Seconds()
			s.cfg.Metrics.HTTPRequestDuration.
				WithLabelValues(name, r.Method, strconv.Itoa(sw.code)).
				Observe(elapsed)
			if name == route.EventsIngest {
				s.cfg.Metrics.EventIngestDuration.WithLabelValues("http").Observe(elapsed)
			}
		}()

		rule, err := s.cfg.Faults.Rule(name, r.Header.Get)
		if err != nil {
			writeError(sw, http.StatusBadRequest, err.Error())
			return
		}
		if err := s.cfg.Faults.Apply(r.Context(), rule); err != nil {
			if errors.Is(err, fault.ErrInjected) {
				writeError(sw, http.StatusInternalServerError, fault.ErrInjected.Error())
				return
			}
			// The client went away during the injected delay.
			writeError(sw, http.StatusServiceUnavailable, "request cancelled")
			return
		}
		h(sw, r.WithContext(route.WithName(r.Context(), name)))
	})
}

type statusWriter struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader {
		w.code = code
		w.wroteHeader = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.wroteHeader = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeEncoded writes a body writeJSON's encoding produced earlier (a
// cached one).
func writeEncoded(w http.ResponseWriter, code int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_, _ = w.Write(body)
}

// encode is writeJSON's encoding, kept for the cache.
func encode(v any) []byte {
	b, _ := json.Marshal(v)
	return append(b, '\n')
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

// internalError logs the cause and hides it from the client.
func (s *server) internalError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		writeError(w, http.StatusServiceUnavailable, "request cancelled")
		return
	}
	s.cfg.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "internal error")
}

// decodeBody reads a JSON body of at most maxBytes into v.
func decodeBody(w http.ResponseWriter, r *http.Request, maxBytes int64, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBytes))
	if err := dec.Decode(v); err != nil {
		return errors.New("invalid JSON body: " + err.Error())
	}
	return nil
}
