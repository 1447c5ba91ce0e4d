package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Clip is one row of clips. CreatedAt is Unix milliseconds.
type Clip struct {
	ID        int64
	Title     string
	CreatorID int64
	Game      string
	Views     int64
	Score     int64
	CreatedAt int64
}

// Comment is one row of comments. CreatedAt is Unix milliseconds.
type Comment struct {
	ID        int64
	ClipID    int64
	UserID    int64
	Body      string
	CreatedAt int64
}

// FeedCursor is the keyset position after the last clip of a page.
type FeedCursor struct {
	CreatedAt int64
	ID        int64
}

const clipCols = `c.id, c.title, c.creator_id, c.game, c.views, c.score, c.created_at`

func scanClips(rows *rows) ([]Clip, error) {
	defer rows.Close()
	clips := []Clip{}
	for rows.Next() {
		var c Clip
		if err := rows.Scan(&c.ID, &c.Title, &c.CreatorID, &c.Game, &c.Views, &c.Score, &c.CreatedAt); err != nil {
			return nil, err
		}
		clips = append(clips, c)
	}
	return clips, rows.Err()
}

// Feed returns up to limit clips, newest first, strictly after the cursor
// (nil means from the top). next is nil on the last page.
func (s *Store) Feed(ctx context.Context, after *FeedCursor, limit int) (clips []Clip, next *FeedCursor, err error) {
	var rows *rows
	// One extra row tells whether another page exists without a COUNT.
	if after == nil {
		rows, err = s.read.query(ctx, "feed",
			`SELECT `+clipCols+` FROM clips c ORDER BY c.created_at DESC, c.id DESC LIMIT ?`, limit+1)
	} else {
		rows, err = s.read.query(ctx, "feed_after_cursor",
			`SELECT `+clipCols+` FROM clips c WHERE (c.created_at, c.id) < (?, ?)
			 ORDER BY c.created_at DESC, c.id DESC LIMIT ?`, after.CreatedAt, after.ID, limit+1)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("feed: %w", err)
	}
	clips, err = scanClips(rows)
	if err != nil {
		return nil, nil, fmt.Errorf("feed: %w", err)
	}
	if len(clips) > limit {
		clips = clips[:limit]
		last := clips[len(clips)-1]
		next = &FeedCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return clips, next, nil
}

// Clip returns one clip or ErrNotFound.
func (s *Store) Clip(ctx context.Context, id int64) (Clip, error) {
	rows, err := s.read.query(ctx, "clip", `SELECT `+clipCols+` FROM clips c WHERE c.id = ?`, id)
	if err != nil {
		return Clip{}, fmt.Errorf("clip: %w", err)
	}
	clips, err := scanClips(rows)
	if err != nil {
		return Clip{}, fmt.Errorf("clip: %w", err)
	}
	if len(clips) == 0 {
		return Clip{}, ErrNotFound
	}
	return clips[0], nil
}

// Related returns the best-scored clips of the same game, excluding the
// clip itself, or ErrNotFound when the clip does not exist.
func (s *Store) Related(ctx context.Context, id int64, limit int) ([]Clip, error) {
	var game string
	err := s.read.queryRow(ctx, "clip_game", `SELECT game FROM clips WHERE id = ?`, []any{id}, &game)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("related: %w", err)
	}
	rows, err := s.read.query(ctx, "related",
		`SELECT `+clipCols+` FROM clips c WHERE c.game = ? AND c.id != ?
		 ORDER BY c.score DESC, c.id DESC LIMIT ?`, game, id, limit)
	if err != nil {
		return nil, fmt.Errorf("related: %w", err)
	}
	clips, err := scanClips(rows)
	if err != nil {
		return nil, fmt.Errorf("related: %w", err)
	}
	return clips, nil
}

// Search returns clips whose titles contain every term, best match first.
// User input never acts as query syntax: FTS5 gets quoted terms,
// PostgreSQL's plainto_tsquery reads operators as text.
func (s *Store) Search(ctx context.Context, terms []string, limit int) ([]Clip, error) {
	if len(terms) == 0 {
		return []Clip{}, nil
	}
	match := strings.Join(terms, " ")
	if s.d.name == sqlite.name {
		quoted := make([]string, len(terms))
		for i, t := range terms {
			quoted[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		}
		match = strings.Join(quoted, " ")
	}
	rows, err := s.read.query(ctx, "search", s.d.search, match, limit)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	clips, err := scanClips(rows)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return clips, nil
}

// Comments returns a clip's comments, newest first, with id < beforeID
// (0 means from the newest). next is 0 on the last page. An unknown clip
// is ErrNotFound.
func (s *Store) Comments(ctx context.Context, clipID, beforeID int64, limit int) (comments []Comment, next int64, err error) {
	q := `SELECT id, clip_id, user_id, body, created_at FROM comments WHERE clip_id = ?`
	args := []any{clipID}
	if beforeID > 0 {
		q += ` AND id < ?`
		args = append(args, beforeID)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)
	name := "comments"
	if beforeID > 0 {
		name = "comments_before_cursor"
	}
	rows, err := s.read.query(ctx, name, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("comments: %w", err)
	}
	defer rows.Close()
	comments = []Comment{}
	for rows.Next() {
		var c Comment
		if err := rows.Scan(&c.ID, &c.ClipID, &c.UserID, &c.Body, &c.CreatedAt); err != nil {
			return nil, 0, fmt.Errorf("comments: %w", err)
		}
		comments = append(comments, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("comments: %w", err)
	}
	if len(comments) > limit {
		comments = comments[:limit]
		next = comments[len(comments)-1].ID
	}
	// Only an empty page needs the existence check.
	if len(comments) == 0 {
		if _, err := s.Clip(ctx, clipID); err != nil {
			return nil, 0, err
		}
	}
	return comments, next, nil
}

// CreateComment inserts a comment; ErrNotFound when the clip is unknown.
func (s *Store) CreateComment(ctx context.Context, clipID, userID int64, body string, nowMillis int64) (Comment, error) {
	// Taking clip_id from the clip row makes "no such clip" an empty
	// RETURNING; the casts give PostgreSQL the parameter types a bare
	// SELECT list cannot.
	var id int64
	err := s.write.queryRow(ctx, "comment_insert",
		`INSERT INTO comments (clip_id, user_id, body, created_at)
		 SELECT c.id, CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS BIGINT) FROM clips c WHERE c.id = ?
		 RETURNING id`,
		[]any{userID, body, nowMillis, clipID}, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return Comment{}, ErrNotFound
	}
	if err != nil {
		return Comment{}, fmt.Errorf("create comment: %w", err)
	}
	return Comment{ID: id, ClipID: clipID, UserID: userID, Body: body, CreatedAt: nowMillis}, nil
}

// Vote records a user's vote on a clip. created reports whether this was
// the user's first vote on it; a repeated vote with a different value
// replaces the old one. The clip's score follows the change.
func (s *Store) Vote(ctx context.Context, userID, clipID, value, nowMillis int64) (created bool, err error) {
	tx, err := s.write.begin(ctx)
	if err != nil {
		return false, fmt.Errorf("vote: %w", err)
	}
	defer tx.rollback()

	var old int64
	err = tx.queryRow(ctx, "vote_select", `SELECT value FROM votes WHERE user_id = ? AND clip_id = ?`, []any{userID, clipID}, &old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		res, err := tx.exec(ctx, "clip_score_update", `UPDATE clips SET score = score + ? WHERE id = ?`, value, clipID)
		if err != nil {
			return false, fmt.Errorf("vote: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return false, ErrNotFound
		}
		if _, err := tx.exec(ctx, "vote_insert",
			`INSERT INTO votes (user_id, clip_id, value, created_at) VALUES (?, ?, ?, ?)`,
			userID, clipID, value, nowMillis); err != nil {
			return false, fmt.Errorf("vote: %w", err)
		}
		created = true
	case err != nil:
		return false, fmt.Errorf("vote: %w", err)
	case old == value:
		return false, nil
	default:
		if _, err := tx.exec(ctx, "vote_update", `UPDATE votes SET value = ? WHERE user_id = ? AND clip_id = ?`,
			value, userID, clipID); err != nil {
			return false, fmt.Errorf("vote: %w", err)
		}
		if _, err := tx.exec(ctx, "clip_score_update", `UPDATE clips SET score = score + ? WHERE id = ?`,
			value-old, clipID); err != nil {
			return false, fmt.Errorf("vote: %w", err)
		}
	}
	if err := tx.commit(); err != nil {
		return false, fmt.Errorf("vote: commit: %w", err)
	}
	return created, nil
}

// UserExists reports whether the user id was seeded.
func (s *Store) UserExists(ctx context.Context, id int64) (bool, error) {
	var one int
	err := s.read.queryRow(ctx, "user_exists", `SELECT 1 FROM users WHERE id = ?`, []any{id}, &one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("user exists: %w", err)
	}
	return true, nil
}

// Goal is a challenge goal; progress reaching Target completes it.
type Goal struct {
	ID          int64
	ChallengeID int64
	Target      int64
}

// Goals lists every goal, for callers that cache them.
func (s *Store) Goals(ctx context.Context) (map[int64]Goal, error) {
	rows, err := s.read.query(ctx, "goals", `SELECT id, challenge_id, target FROM goals`)
	if err != nil {
		return nil, fmt.Errorf("goals: %w", err)
	}
	defer rows.Close()
	goals := map[int64]Goal{}
	for rows.Next() {
		var g Goal
		if err := rows.Scan(&g.ID, &g.ChallengeID, &g.Target); err != nil {
			return nil, fmt.Errorf("goals: %w", err)
		}
		goals[g.ID] = g
	}
	return goals, rows.Err()
}

// ProgressDelta is the aggregated effect of a batch of events on one
// (user, goal) pair. LastEventID is the last event applied.
type ProgressDelta struct {
	UserID      int64
	Goal        Goal
	Delta       int64
	LastEventID string
}

// ApplyProgress adds all deltas in one transaction, completing goals whose
// progress reaches their target.
func (s *Store) ApplyProgress(ctx context.Context, deltas []ProgressDelta, nowMillis int64) error {
	tx, err := s.write.begin(ctx)
	if err != nil {
		return fmt.Errorf("apply progress: %w", err)
	}
	defer tx.rollback()
	// PostgreSQL wants the existing row's columns qualified next to
	// excluded's, and the parameter types spelled out.
	stmt, err := tx.prepare(ctx, "progress_upsert", `
		INSERT INTO user_goal_progress AS p
			(user_id, goal_id, challenge_id, progress, status, completed_at, last_event_id, updated_at)
		VALUES (CAST(?1 AS BIGINT), CAST(?2 AS BIGINT), CAST(?3 AS BIGINT), CAST(?4 AS BIGINT),
			CASE WHEN CAST(?4 AS BIGINT) >= CAST(?5 AS BIGINT) THEN 'completed' ELSE 'in_progress' END,
			CASE WHEN CAST(?4 AS BIGINT) >= CAST(?5 AS BIGINT) THEN CAST(?7 AS BIGINT) END,
			CAST(?6 AS TEXT), CAST(?7 AS BIGINT))
		ON CONFLICT (user_id, goal_id) DO UPDATE SET
			progress      = p.progress + excluded.progress,
			status        = CASE WHEN p.progress + excluded.progress >= CAST(?5 AS BIGINT) THEN 'completed' ELSE p.status END,
			completed_at  = CASE WHEN p.completed_at IS NULL AND p.progress + excluded.progress >= CAST(?5 AS BIGINT)
			                     THEN excluded.updated_at ELSE p.completed_at END,
			last_event_id = excluded.last_event_id,
			updated_at    = excluded.updated_at`)
	if err != nil {
		return fmt.Errorf("apply progress: prepare: %w", err)
	}
	defer stmt.Close()
	for _, d := range deltas {
		if err := stmt.exec(ctx, d.UserID, d.Goal.ID, d.Goal.ChallengeID, d.Delta,
			d.Goal.Target, d.LastEventID, nowMillis); err != nil {
			return fmt.Errorf("apply progress: %w", err)
		}
	}
	if err := tx.commit(); err != nil {
		return fmt.Errorf("apply progress: commit: %w", err)
	}
	return nil
}

// GoalProgress is one user_goal_progress row joined with its target.
type GoalProgress struct {
	ChallengeID int64
	GoalID      int64
	Progress    int64
	Target      int64
	Status      string
	LastEventID string
}

// ChallengeProgress lists a user's progress rows ordered by challenge and
// goal.
func (s *Store) ChallengeProgress(ctx context.Context, userID int64) ([]GoalProgress, error) {
	rows, err := s.read.query(ctx, "challenge_progress", `
		SELECT p.challenge_id, p.goal_id, p.progress, g.target, p.status, p.last_event_id
		FROM user_goal_progress p JOIN goals g ON g.id = p.goal_id
		WHERE p.user_id = ?
		ORDER BY p.challenge_id, p.goal_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("challenge progress: %w", err)
	}
	defer rows.Close()
	out := []GoalProgress{}
	for rows.Next() {
		var p GoalProgress
		if err := rows.Scan(&p.ChallengeID, &p.GoalID, &p.Progress, &p.Target, &p.Status, &p.LastEventID); err != nil {
			return nil, fmt.Errorf("challenge progress: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// TotalProgress sums progress over all rows; tests and the shutdown
// accounting use it to prove no acknowledged event was lost.
func (s *Store) TotalProgress(ctx context.Context) (int64, error) {
	var n int64
	if err := s.read.queryRow(ctx, "total_progress", `SELECT CAST(COALESCE(SUM(progress), 0) AS BIGINT) FROM user_goal_progress`, nil, &n); err != nil {
		return 0, fmt.Errorf("total progress: %w", err)
	}
	return n, nil
}
