package api

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"loadgate/service/internal/auth"
	"loadgate/service/internal/cache"
	"loadgate/service/internal/ingest"
	"loadgate/service/internal/store"
)

// Wire types.

type clipJSON struct {
	ID        int64  `json:"id"`
	Title     string `json:"title"`
	CreatorID int64  `json:"creator_id"`
	Game      string `json:"game"`
	Views     int64  `json:"views"`
	Score     int64  `json:"score"`
	CreatedAt string `json:"created_at"`
}

type commentJSON struct {
	ID        int64  `json:"id"`
	ClipID    int64  `json:"clip_id"`
	UserID    int64  `json:"user_id"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
}

func formatMillis(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}

func toClipJSON(c store.Clip) clipJSON {
	return clipJSON{ID: c.ID, Title: c.Title, CreatorID: c.CreatorID, Game: c.Game,
		Views: c.Views, Score: c.Score, CreatedAt: formatMillis(c.CreatedAt)}
}

func toClipsJSON(cs []store.Clip) []clipJSON {
	out := make([]clipJSON, len(cs))
	for i, c := range cs {
		out[i] = toClipJSON(c)
	}
	return out
}

func toCommentJSON(c store.Comment) commentJSON {
	return commentJSON{ID: c.ID, ClipID: c.ClipID, UserID: c.UserID, Body: c.Body,
		CreatedAt: formatMillis(c.CreatedAt)}
}

// Request parsing helpers; each writes the 400 itself and reports ok.

func pathID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("id must be an integer, got %q", r.PathValue("id")))
		return 0, false
	}
	return id, true
}

// queryLimit parses ?limit=, clamping large values to max rather than
// failing, so scripts can ask for "as many as allowed".
func queryLimit(w http.ResponseWriter, r *http.Request, def, max int) (int, bool) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("limit must be a positive integer, got %q", v))
		return 0, false
	}
	return min(n, max), true
}

// Cursors are opaque to clients: base64url of an internal position.

func encodeFeedCursor(c *store.FeedCursor) string {
	if c == nil {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d.%d", c.CreatedAt, c.ID))
}

func decodeFeedCursor(s string) (*store.FeedCursor, error) {
	if s == "" {
		return nil, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, errors.New("invalid cursor")
	}
	a, b, ok := strings.Cut(string(raw), ".")
	at, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return nil, errors.New("invalid cursor")
	}
	return &store.FeedCursor{CreatedAt: at, ID: id}, nil
}

func encodeIDCursor(id int64) string {
	if id == 0 {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(id, 10)))
}

func decodeIDCursor(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, errors.New("invalid cursor")
	}
	id, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || id < 1 {
		return 0, errors.New("invalid cursor")
	}
	return id, nil
}

// How long cached answers live. Feed pages show scores, which votes change
// all the time; they are not invalidated but expire quickly. Clips and vote
// state are invalidated by the votes that change them, so they can live long.
const (
	feedTTL = 10 * time.Second
	clipTTL = time.Minute
	voteTTL = 10 * time.Minute
)

func clipKey(id int64) string { return "clip:" + strconv.FormatInt(id, 10) }

func voteKey(uid, clipID int64) string {
	return "vote:" + strconv.FormatInt(uid, 10) + ":" + strconv.FormatInt(clipID, 10)
}

// Handlers.

func (s *server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{
		"service": "loadgate-service",
		"version": s.cfg.Version,
		"status":  "ok",
	})
}

func (s *server) handleFeed(w http.ResponseWriter, r *http.Request) {
	limit, ok := queryLimit(w, r, 20, 100)
	if !ok {
		return
	}
	cur, err := decodeFeedCursor(r.URL.Query().Get("cursor"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	key := "feed:" + strconv.Itoa(limit) + ":" + encodeFeedCursor(cur)
	if body, ok := s.cfg.Cache.Get(r.Context(), cache.Feed, key); ok {
		writeEncoded(w, http.StatusOK, body)
		return
	}
	clips, next, err := s.cfg.Store.Feed(r.Context(), cur, limit)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	body := encode(map[string]any{
		"items":       toClipsJSON(clips),
		"next_cursor": encodeFeedCursor(next),
	})
	s.cfg.Cache.Set(r.Context(), cache.Feed, key, body, feedTTL)
	writeEncoded(w, http.StatusOK, body)
}

func (s *server) handleClip(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	if body, ok := s.cfg.Cache.Get(r.Context(), cache.Clip, clipKey(id)); ok {
		writeEncoded(w, http.StatusOK, body)
		return
	}
	c, err := s.cfg.Store.Clip(r.Context(), id)
	if s.clipStoreError(w, r, err) {
		return
	}
	body := encode(toClipJSON(c))
	s.cfg.Cache.Set(r.Context(), cache.Clip, clipKey(id), body, clipTTL)
	writeEncoded(w, http.StatusOK, body)
}

func (s *server) handleRelated(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	limit, ok := queryLimit(w, r, 10, 100)
	if !ok {
		return
	}
	clips, err := s.cfg.Store.Related(r.Context(), id, limit)
	if s.clipStoreError(w, r, err) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": toClipsJSON(clips)})
}

func (s *server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		writeError(w, http.StatusBadRequest, "q must not be empty")
		return
	}
	if len(q) > 256 {
		writeError(w, http.StatusBadRequest, "q must be at most 256 bytes")
		return
	}
	limit, ok := queryLimit(w, r, 20, 100)
	if !ok {
		return
	}
	// Only letters and digits reach FTS5; everything else separates terms.
	terms := strings.FieldsFunc(strings.ToLower(q), func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c)
	})
	clips, err := s.cfg.Store.Search(r.Context(), terms, limit)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": toClipsJSON(clips)})
}

func (s *server) handleListComments(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(w, r)
	if !ok {
		return
	}
	limit, ok := queryLimit(w, r, 20, 100)
	if !ok {
		return
	}
	before, err := decodeIDCursor(r.URL.Query().Get("cursor"))
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	comments, next, err := s.cfg.Store.Comments(r.Context(), id, before, limit)
	if s.clipStoreError(w, r, err) {
		return
	}
	items := make([]commentJSON, len(comments))
	for i, c := range comments {
		items[i] = toCommentJSON(c)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": encodeIDCursor(next)})
}

// authUser writes the 401 itself when the bearer token is bad.
func (s *server) authUser(w http.ResponseWriter, r *http.Request) (int64, bool) {
	uid, err := s.cfg.Auth.FromRequest(r)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="loadgate-service"`)
		writeError(w, http.StatusUnauthorized, auth.ErrInvalid.Error())
		return 0, false
	}
	return uid, true
}

const maxCommentRunes = 2000

// authedClipWrite does what every authenticated write on a clip needs first: the user from the
// bearer token, the clip id from the path and the JSON body. It writes the error itself.
func (s *server) authedClipWrite(w http.ResponseWriter, r *http.Request, maxBytes int64, body any) (uid, clipID int64, ok bool) {
	if uid, ok = s.authUser(w, r); !ok {
		return 0, 0, false
	}
	if clipID, ok = pathID(w, r); !ok {
		return 0, 0, false
	}
	if err := decodeBody(w, r, maxBytes, body); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return 0, 0, false
	}
	return uid, clipID, true
}

// clipStoreError answers a store error on a clip route; false means there was none.
func (s *server) clipStoreError(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "clip not found")
	default:
		s.internalError(w, r, err)
	}
	return true
}

func (s *server) handleCreateComment(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Body string `json:"body"`
	}
	uid, id, ok := s.authedClipWrite(w, r, 64<<10, &req)
	if !ok {
		return
	}
	if strings.TrimSpace(req.Body) == "" || utf8.RuneCountInString(req.Body) > maxCommentRunes {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("body must be 1..%d characters", maxCommentRunes))
		return
	}
	c, err := s.cfg.Store.CreateComment(r.Context(), id, uid, req.Body, s.cfg.Now().UnixMilli())
	if s.clipStoreError(w, r, err) {
		return
	}
	writeJSON(w, http.StatusCreated, toCommentJSON(c))
}

func (s *server) handleVote(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Value int64 `json:"value"`
	}
	uid, id, ok := s.authedClipWrite(w, r, 4<<10, &req)
	if !ok {
		return
	}
	if req.Value != 1 && req.Value != -1 {
		writeError(w, http.StatusBadRequest, "value must be 1 or -1")
		return
	}
	// The cached vote state answers a repeated vote without the database.
	value := strconv.FormatInt(req.Value, 10)
	if cached, ok := s.cfg.Cache.Get(r.Context(), cache.Vote, voteKey(uid, id)); ok && string(cached) == value {
		writeJSON(w, http.StatusOK, map[string]any{"clip_id": id, "user_id": uid, "value": req.Value, "created": false})
		return
	}
	created, err := s.cfg.Store.Vote(r.Context(), uid, id, req.Value, s.cfg.Now().UnixMilli())
	if s.clipStoreError(w, r, err) {
		return
	}
	s.cfg.Cache.Set(r.Context(), cache.Vote, voteKey(uid, id), []byte(value), voteTTL)
	s.cfg.Cache.Delete(r.Context(), clipKey(id)) // its score changed
	code := http.StatusOK
	if created {
		code = http.StatusCreated
	}
	writeJSON(w, code, map[string]any{"clip_id": id, "user_id": uid, "value": req.Value, "created": created})
}

func (s *server) handleAuthToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		UserID int64 `json:"user_id"`
	}
	if err := decodeBody(w, r, 4<<10, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if req.UserID < 1 {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("user_id must be in 1..%d", store.NumUsers))
		return
	}
	exists, err := s.cfg.Store.UserExists(r.Context(), req.UserID)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	if !exists {
		writeError(w, http.StatusNotFound, "user not found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": s.cfg.Auth.Token(req.UserID), "user_id": req.UserID})
}

type eventJSON struct {
	EventID string `json:"event_id"`
	UserID  int64  `json:"user_id"`
	GoalID  int64  `json:"goal_id"`
	Delta   int64  `json:"delta"`
}

func (s *server) handleEvents(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Events []eventJSON `json:"events"`
	}
	if err := decodeBody(w, r, 1<<20, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	events := make([]ingest.Event, len(req.Events))
	for i, e := range req.Events {
		events[i] = ingest.Event{EventID: e.EventID, UserID: e.UserID, GoalID: e.GoalID, Delta: e.Delta}
	}
	if err := ingest.Validate(events); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := s.cfg.Ingest.Accept(events); err != nil {
		// Nothing of the batch was taken; the client may resend it whole.
		w.Header().Set("Retry-After", "1")
		writeError(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"accepted": len(events)})
}

type goalJSON struct {
	GoalID      int64  `json:"goal_id"`
	Progress    int64  `json:"progress"`
	Target      int64  `json:"target"`
	Status      string `json:"status"`
	LastEventID string `json:"last_event_id"`
}

type challengeJSON struct {
	ChallengeID int64      `json:"challenge_id"`
	Goals       []goalJSON `json:"goals"`
}

func (s *server) handleChallenges(w http.ResponseWriter, r *http.Request) {
	uid, ok := pathID(w, r)
	if !ok {
		return
	}
	if uid < 1 || uid > store.NumUsers {
		writeError(w, http.StatusNotFound, "user not found")
		return
	}
	rows, err := s.cfg.Store.ChallengeProgress(r.Context(), uid)
	if err != nil {
		s.internalError(w, r, err)
		return
	}
	challenges := []challengeJSON{}
	for _, p := range rows {
		if n := len(challenges); n == 0 || challenges[n-1].ChallengeID != p.ChallengeID {
			challenges = append(challenges, challengeJSON{ChallengeID: p.ChallengeID})
		}
		c := &challenges[len(challenges)-1]
		c.Goals = append(c.Goals, goalJSON{GoalID: p.GoalID, Progress: p.Progress, Target: p.Target,
			Status: p.Status, LastEventID: p.LastEventID})
	}
	writeJSON(w, http.StatusOK, map[string]any{"user_id": uid, "challenges": challenges})
}
