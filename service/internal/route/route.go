// Package route holds the API route names in one place: they are the fault
// keys, the metrics "route" label and the endpoint names of the TypeScript
// SLO table (thresholds/slo.ts), which a test compares against All.
package route

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
