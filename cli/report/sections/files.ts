// The list of files in the run folder, each with what it is for, so a reader knows where to dig.
import { code } from '../../runs/format.ts';
import type { ReportInput } from '../input.ts';

const fileNotes: Record<string, string> = {
  'REPORT.md': 'this report',
  'summary.json': "k6's end-of-test summary data",
  'summary.txt': 'the plain-text summary printed at the end of the run',
  'junit.xml': 'one JUnit test case per threshold, for CI',
  'report.html': "k6's web-dashboard export with the charts over time",
  'report.png': 'a screenshot of report.html',
  'meta.json': 'why the run ended, machine, versions, target and resolved options',
  'k6.log.json': "k6's log, one JSON object per line",
  'service.log': "the reference target's log",
  'profiles/cpu.pb.gz': 'CPU profile over the steady state (go tool pprof)',
  'profiles/heap.pb.gz': 'heap profile at the end of the run',
  'profiles/allocs.pb.gz': 'allocation profile at the end of the run',
  'profiles/goroutine.pb.gz': 'goroutine profile at the end of the run',
  'profiles/block.pb.gz': 'blocking profile at the end of the run',
  'profiles/mutex.pb.gz': 'mutex contention profile at the end of the run',
  'profiles/metrics-before.prom': 'target /metrics just before k6 started',
  'profiles/metrics-after.prom': 'target /metrics just after k6 ended',
};

export function filesSection(input: ReportInput): string[] {
  const files = [...new Set([...input.files, 'REPORT.md'])].sort();
  return [
    '## Files',
    '',
    ...files.map((file) => `- ${code(file)}${fileNotes[file] ? `: ${fileNotes[file]}` : ''}`),
    '',
    `Rebuild this report with ${code(`make report RUN=<this folder>`)}.`,
  ];
}
