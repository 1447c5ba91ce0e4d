package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Seeded dataset sizes. IDs are dense, 1..N, so range checks equal
// existence checks.
const (
	NumUsers          = 10000
	NumClips          = 5000
	NumChallenges     = 10
	GoalsPerChallenge = 50
	NumGoals          = NumChallenges * GoalsPerChallenge
)

// TitleWords is the vocabulary clip titles are drawn from. Every word
// appears in many titles, so load scripts can search for any of them:
// epic clutch fail speedrun ace headshot comeback funny insane win
// noscope rage lucky pro glitch boss raid combo trickshot highlight.
func TitleWords() []string { return append([]string(nil), titleWords[:]...) }

var titleWords = [...]string{
	"epic", "clutch", "fail", "speedrun", "ace", "headshot", "comeback",
	"funny", "insane", "win", "noscope", "rage", "lucky", "pro", "glitch",
	"boss", "raid", "combo", "trickshot", "highlight",
}

var games = [...]string{
	"Valorant", "Counter-Strike 2", "League of Legends", "Dota 2", "Fortnite",
	"Apex Legends", "Minecraft", "Rocket League", "Overwatch 2", "Elden Ring",
	"Celeste", "Hollow Knight", "Tetris", "StarCraft II", "Street Fighter 6",
	"Super Mario 64", "Halo Infinite", "PUBG", "Hades", "Dark Souls III",
}

var commentPhrases = [...]string{
	"gg", "no way", "that was clean", "how did that work", "lol",
	"best clip today", "again!", "unreal timing", "pure luck", "teach me",
}

// seedEpoch anchors all seeded timestamps so the data does not depend on
// the wall clock.
var seedEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

// Seed fills the (freshly migrated) database in one transaction. The same
// seed always yields the same rows.
func (s *Store) Seed(ctx context.Context, seed int64) error {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6c6f616467617465))
	tx, err := s.write.begin(ctx)
	if err != nil {
		return fmt.Errorf("seed: begin: %w", err)
	}
	defer tx.rollback()

	const year = int64(365 * 24 * time.Hour / time.Millisecond)

	users := newBulk(tx, "users", "id, name, created_at", 3)
	for id := int64(1); id <= NumUsers; id++ {
		if err := users.add(ctx, id, fmt.Sprintf("user%05d", id), seedEpoch+rng.Int64N(year)); err != nil {
			return err
		}
	}
	if err := users.flush(ctx); err != nil {
		return err
	}

	clips := newBulk(tx, "clips", "id, title, creator_id, game, views, score, created_at", 7)
	comments := newBulk(tx, "comments", "id, clip_id, user_id, body, created_at", 5)
	commentID := int64(1)
	for id := int64(1); id <= NumClips; id++ {
		n := 3 + rng.IntN(3)
		words := make([]string, n)
		for i := range words {
			words[i] = titleWords[rng.IntN(len(titleWords))]
		}
		createdAt := seedEpoch + rng.Int64N(year)
		err := clips.add(ctx, id, strings.Join(words, " "),
			1+rng.Int64N(NumUsers), games[rng.IntN(len(games))],
			rng.Int64N(1_000_000), rng.Int64N(5000)-50, createdAt)
		if err != nil {
			return err
		}
		// 3..7 comments, about five per clip.
		nc := 3 + rng.IntN(5)
		at := createdAt
		for range nc {
			at += 1 + rng.Int64N(int64(48*time.Hour/time.Millisecond))
			body := commentPhrases[rng.IntN(len(commentPhrases))]
			if err := comments.add(ctx, commentID, id, 1+rng.Int64N(NumUsers), body, at); err != nil {
				return err
			}
			commentID++
		}
	}
	if err := clips.flush(ctx); err != nil {
		return err
	}
	if err := comments.flush(ctx); err != nil {
		return err
	}

	challenges := newBulk(tx, "challenges", "id, name", 2)
	goals := newBulk(tx, "goals", "id, challenge_id, name, target", 4)
	goalTargets := [...]int64{5, 10, 25, 50, 100, 250}
	for c := int64(1); c <= NumChallenges; c++ {
		if err := challenges.add(ctx, c, fmt.Sprintf("challenge %d", c)); err != nil {
			return err
		}
		for g := int64(1); g <= GoalsPerChallenge; g++ {
			id := (c-1)*GoalsPerChallenge + g
			target := goalTargets[rng.IntN(len(goalTargets))]
			if err := goals.add(ctx, id, c, fmt.Sprintf("goal %d.%d", c, g), target); err != nil {
				return err
			}
		}
	}
	if err := challenges.flush(ctx); err != nil {
		return err
	}
	if err := goals.flush(ctx); err != nil {
		return err
	}

	for _, stmt := range s.d.afterSeed {
		if _, err := tx.exec(ctx, "seed", stmt); err != nil {
			return fmt.Errorf("seed: %q: %w", stmt, err)
		}
	}
	if err := tx.commit(); err != nil {
		return fmt.Errorf("seed: commit: %w", err)
	}
	// Fresh statistics let the planner pick the indexes from the first
	// query on.
	if _, err := s.write.exec(ctx, "analyze", `ANALYZE`); err != nil {
		return fmt.Errorf("seed: analyze: %w", err)
	}
	return nil
}

// bulk batches rows into multi-row INSERTs: per-row statements make
// seeding several times slower with the pure-Go driver.
type bulk struct {
	tx    *tx
	table string
	cols  string
	width int
	args  []any
	rows  int
}

const bulkRows = 200

func newBulk(tx *tx, table, cols string, width int) *bulk {
	return &bulk{tx: tx, table: table, cols: cols, width: width}
}

func (b *bulk) add(ctx context.Context, vals ...any) error {
	b.args = append(b.args, vals...)
	b.rows++
	if b.rows == bulkRows {
		return b.flush(ctx)
	}
	return nil
}

func (b *bulk) flush(ctx context.Context) error {
	if b.rows == 0 {
		return nil
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", b.width), ",") + ")"
	q := "INSERT INTO " + b.table + " (" + b.cols + ") VALUES " +
		strings.TrimSuffix(strings.Repeat(row+",", b.rows), ",")
	// Named by row count too: each shape is its own statement.
	if _, err := b.tx.exec(ctx, fmt.Sprintf("seed_%s_%d", b.table, b.rows), q, b.args...); err != nil {
		return fmt.Errorf("seed %s: %w", b.table, err)
	}
	b.args = b.args[:0]
	b.rows = 0
	return nil
}
