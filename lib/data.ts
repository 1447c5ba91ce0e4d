// Deterministic test data. The same LOADGATE_SEED gives the same requests in every run, and ids
// derive from k6/execution's test-wide counters so instances sharing a test through execution
// segments never collide.
import exec from 'k6/execution';

/** Dimensions of the reference target's seeded database. */
export const dataset = {
  users: 10_000,
  clips: 5_000,
  challenges: 10,
  goalsPerChallenge: 50,
  /** Users above this id are reserved for end-to-end probes, so load never touches their progress. */
  loadUserCeiling: 9_900,
};

/** Words the target builds clip titles from, so searches find something. */
export const searchTerms = ['epic', 'clutch', 'fail', 'speedrun', 'ace', 'headshot', 'comeback', 'funny', 'insane', 'win'];

/** mulberry32: tiny, fast, good enough to spread requests; not for cryptography. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A clip id with a popularity skew: low ids come far more often (the square of a uniform draw),
 * the way real feeds concentrate on a few hot clips. Drawn from the VU's own seeded stream, so
 * the same LOADGATE_SEED gives the same ids. It replaced a 20,000-entry SharedArray of the same
 * draws: building that array and JSON-encoding every entry took 23 MB of Go allocations in init,
 * most of k6's peak RSS above bare k6 (heap profile, api-load feed only), and every pick from it
 * decoded an entry again.
 */
export function popularClip(random: () => number): number {
  const draw = random();
  return 1 + Math.floor(dataset.clips * draw * draw);
}

/**
 * Per-VU random stream, seeded by the test-wide VU id so two instances never share a stream.
 * Created on first use because VU ids do not exist yet in the init context.
 */
export function vuRandom(seed: number): () => number {
  let next: (() => number) | null = null;
  return () => (next ??= seededRandom(seed * 1_000_003 + exec.vu.idInTest))();
}

/** The user a VU acts as. Test-wide VU ids are unique across instances. */
export function vuUserId(): number {
  return ((exec.vu.idInTest - 1) % dataset.loadUserCeiling) + 1;
}

/** A value no other iteration anywhere in the test produces: marks comments and events. */
export function uniqueMark(): string {
  return `${exec.scenario.name}-${exec.scenario.iterationInTest}-${exec.vu.idInTest}`;
}

export function pick<T>(items: ArrayLike<T>, random: () => number): T {
  return items[Math.floor(random() * items.length)];
}
