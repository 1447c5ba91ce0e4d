// The reference service's cache (CACHE=redis): hit rate against the seed report's 80% criterion,
// memory used of the limit, evictions and keys, from the service's target_cache_* metrics.
import { bytes, code, count, mark, percent, table } from '../../runs/format.ts';
import { noLoad, noLoadSentence, type ReportInput } from '../input.ts';
import { snapshots, type Labels } from '../../runs/prometheus.ts';
import { targetMetric } from '../../../thresholds/service-contract.ts';

/** The seed report's success criterion. */
export const cacheHitTarget = 0.8;

export function cacheSection(input: ReportInput): string[] {
  const lines = ['## Cache', ''];
  if (!input.metricsAfter.ok) {
    lines.push(`Cache: not measured, ${input.metricsAfter.missing}.`, '');
    return lines;
  }
  const m = snapshots(input.metricsAfter.value, input.metricsBefore.ok ? input.metricsBefore.value : undefined);
  if (!m.after.has(targetMetric.cacheHits)) {
    // A service of a team's own may well have a cache: without its metrics it is not measured, not absent.
    if (input.meta?.target?.startedByLoadgate === false) return [];
    lines.push('Cache: none, the reference service ran without a cache (CACHE=redis adds one).', '');
    return lines;
  }
  if (noLoad(input)) return [...lines, noLoadSentence('Cache hits'), ''];
  const redis = input.meta?.backends?.find((b) => b.name === 'Redis');
  if (redis) lines.push(`${redis.version}, started by loadgate for this run at ${redis.address}.`, '');
  if (redis?.unexpectedExit) lines.push(`**Redis ${redis.unexpectedExit}**: lookups missed and went to the database from then on.`, '');

  const rows: string[][] = [];
  let hits = 0;
  let misses = 0;
  for (const kind of m.after.labelValues(targetMetric.cacheHits, 'kind')) {
    const ofKind = (labels: Labels) => labels.kind === kind;
    const h = m.delta(targetMetric.cacheHits, ofKind);
    const s = m.delta(targetMetric.cacheMisses, ofKind);
    hits += h;
    misses += s;
    rows.push([code(kind), count(h), count(s), h + s > 0 ? percent(h / (h + s)) : '—']);
  }
  const lookups = hits + misses;
  rows.push(['all', count(hits), count(misses), lookups > 0 ? percent(hits / lookups) : '—']);
  lines.push(...table(['Cached', 'Hits', 'Misses', 'Hit rate'], rows, 'lrrr'), '');
  lines.push(
    lookups > 0
      ? `Hit rate: ${percent(hits / lookups)} of ${count(lookups)} lookups, success criterion > ${percent(cacheHitTarget)} ${mark(hits / lookups > cacheHitTarget)}`
      : 'Hit rate: no lookup reached the cache during the run.',
    '',
  );
  const failures = m.delta(targetMetric.cacheErrors);
  if (failures > 0) lines.push(`${count(failures)} cache calls failed and were served from the database instead.`, '');

  if (m.after.sum(targetMetric.cacheUp) === 1) {
    const used = m.after.sum(targetMetric.cacheMemory);
    const limit = m.after.sum(targetMetric.cacheMemoryLimit);
    lines.push(
      ...table(
        ['At the end of the run', 'Value'],
        [
          ['Memory used / limit', limit > 0 ? `${bytes(used)} of ${bytes(limit)} (${percent(used / limit)})` : `${bytes(used)} (no limit)`],
          ['Evictions during the run', count(m.delta(targetMetric.cacheEvictions))],
          ['Keys', count(m.after.sum(targetMetric.cacheKeys))],
        ],
      ),
      '',
    );
  } else {
    lines.push('Memory, evictions and keys: not measured, the cache server did not answer the last scrape.', '');
  }
  return lines;
}
