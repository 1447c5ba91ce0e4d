// The test configuration: what ran, on what, against what, so two reports can be compared fairly.
import { runDurationSeconds } from '../../../lib/summary/model.ts';
import { bytes, count, seconds, table } from '../../runs/format.ts';
import { value, type ReportInput } from '../input.ts';
import { describeScenario, optionsMatchRun, optionsOf } from '../options.ts';

export function testConfiguration(input: ReportInput): string[] {
  const { meta, summary } = input;
  const lines = ['## Test configuration', ''];
  if (!meta) {
    lines.push('Configuration: not captured, the run folder has no meta.json.', '');
    return lines;
  }
  const rows: string[][] = [
    ['Scenario', meta.scenario],
    ['Profile', meta.profile],
  ];
  if (meta.startedAt) rows.push(['Started', `${meta.startedAt}${meta.endedAt ? `, ended ${meta.endedAt}` : ''}`]);
  if (summary) rows.push(['Test run duration', seconds(runDurationSeconds(summary))]);
  const vusMax = value(summary, 'vus_max', 'max');
  if (vusMax !== undefined) rows.push(['Peak VUs (observed)', count(vusMax)]);
  const m = meta.machine;
  if (m) {
    const parts = [
      m.cpus !== undefined ? `${m.cpus} cores${m.cpuModel ? ` (${m.cpuModel})` : ''}` : 'cores not recorded',
      m.memoryBytes !== undefined ? `${bytes(m.memoryBytes)} memory` : 'memory not recorded',
    ];
    if (m.platform) parts.push(m.platform);
    rows.push(['Machine', parts.join(', ')]);
    if (m.go) rows.push(['Go', m.go]);
    if (m.node) rows.push(['Node.js', m.node]);
  }
  if (meta.k6) rows.push(['k6', meta.k6]);
  if (meta.gitCommit) rows.push(['Git commit', meta.gitCommit]);
  const target = meta.target;
  if (target) {
    const identity = target.identity as { service?: string; version?: string } | null | undefined;
    // Older runs wrote "unknown" for a field the target did not report.
    const reported = (field: string | undefined) => (field && field !== 'unknown' ? field : undefined);
    const service = reported(identity?.service);
    const version = reported(identity?.version);
    const who = `${service ?? 'service name not reported'}, ${version ? `version ${version}` : 'version not reported'}`;
    rows.push(['Target', `${who} at ${target.baseUrl ?? 'an unrecorded URL'}${target.startedByLoadgate ? ', started by loadgate' : ', started outside loadgate'}`]);
    const faults = (target.args ?? []).filter((arg, i, args) => arg.startsWith('-fault') || args[i - 1]?.startsWith('-fault'));
    if (faults.length) rows.push(['Fault injection', faults.join(' ')]);
  }
  lines.push(...table(['Setting', 'Value'], rows), '');
  if (m?.cpus !== undefined) {
    lines.push(
      `The load generator (k6) and the target ran on the same machine and shared its ${m.cpus} cores, so the latencies include contention between the two.`,
      '',
    );
  }
  const options = optionsOf(meta);
  if (!options?.scenarios) {
    lines.push('Load shape: not captured, meta.json has no resolved k6 options (k6 inspect failed).', '');
    return lines;
  }
  lines.push('Load shape, as k6 resolved the options:', '');
  lines.push(
    ...table(
      ['k6 scenario', 'Executor', 'Load'],
      Object.entries(options.scenarios)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, s]) => [name, s.executor ?? 'unknown', describeScenario(s)]),
    ),
    '',
  );
  if (options.totalDuration) lines.push(`Planned duration including graceful stops: ${options.totalDuration}.`, '');
  if (!optionsMatchRun(options, summary)) {
    lines.push(
      `Caution: these resolved options carry different thresholds from the ones this run evaluated, so they probably describe another profile than ${meta.profile}; trust the observed peak VUs and run duration above.`,
      '',
    );
  }
  return lines;
}
