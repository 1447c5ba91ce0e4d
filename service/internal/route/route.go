// Package route holds the API route names in one place: they are the fault
// keys, the metrics "route" label and the endpoint names of the TypeScript
// SLO table (thresholds/slo.ts), which a test compares against All.
package route

import "context"

const (
	Feed              = "feed"
	ClipDetail        = "clip_detail"
	Related           = "related"
	Search            = "search"
	CommentsList      = "comments_list"
	CommentCreate     = "comment_create"
	Vote              = "vote"
	AuthToken         = "auth_token"
	EventsIngest      = "events_ingest"
	ChallengeProgress = "challenge_progress"
)

// All lists every route name; callers must not modify it.
var All = []string{Feed, ClipDetail, Related, Search, CommentsList, CommentCreate,
	Vote, AuthToken, EventsIngest, ChallengeProgress}

type ctxKey struct{}

// WithName tags a request's context with its route name, so code below the
// handler (the store's per-route query counter) can attribute its work.
func WithName(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, ctxKey{}, name)
}

// FromContext is the route name WithName set, or "" for work no request
// asked for (the event flusher, start-up).
func FromContext(ctx context.Context) string {
	name, _ := ctx.Value(ctxKey{}).(string)
	return name
}
