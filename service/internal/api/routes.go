package api

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"loadgate/service/internal/route"
)

// addRoutes is the whole HTTP API surface. Every /api route is wrapped by
// s.route with its fault/metrics route name; /healthz and /metrics are
// plumbing and stay unwrapped so faults never blind the orchestrator.
func addRoutes(mux *http.ServeMux, s *server) {
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Gatherer, promhttp.HandlerOpts{}))

	mux.Handle("GET /api/v1/feed", s.route(route.Feed, s.handleFeed))
	mux.Handle("GET /api/v1/clips/{id}", s.route(route.ClipDetail, s.handleClip))
	mux.Handle("GET /api/v1/clips/{id}/related", s.route(route.Related, s.handleRelated))
	mux.Handle("GET /api/v1/search", s.route(route.Search, s.handleSearch))
	mux.Handle("GET /api/v1/clips/{id}/comments", s.route(route.CommentsList, s.handleListComments))
	mux.Handle("POST /api/v1/clips/{id}/comments", s.route(route.CommentCreate, s.handleCreateComment))
	mux.Handle("POST /api/v1/clips/{id}/votes", s.route(route.Vote, s.handleVote))
	mux.Handle("POST /api/v1/auth/token", s.route(route.AuthToken, s.handleAuthToken))
	mux.Handle("POST /api/v1/events", s.route(route.EventsIngest, s.handleEvents))
	mux.Handle("GET /api/v1/users/{id}/challenges", s.route(route.ChallengeProgress, s.handleChallenges))
}
