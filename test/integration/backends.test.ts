// DB=postgres CACHE=redis against the real reference service: the report's database and cache
// sections carry numbers, a PostgreSQL killed mid-run gives failed requests and a recorded reason
// rather than a hang, and no postgres or redis-server process outlives either run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, readMeta, readSummary, runMake, spawnCollect, tempResultsDir, wiringProfile } from './harness.ts';

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

function processes(): Proc[] {
  const found: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      found.push({ pid: Number(entry), ppid, comm, cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch {
      // Ended while we looked.
    }
  }
  return found;
}

/** Processes still serving the ports meta.json recorded for this run's backends. */
function leftovers(runDir: string): Proc[] {
  const ports = (readMeta(runDir).backends ?? []).map((b) => /:(\d+)\//.exec(b.address)![1]);
  assert.ok(ports.length > 0, 'meta.json records the backends');
  return processes().filter((p) => /postgres|redis/.test(p.comm) && ports.some((port) => p.cmdline.includes(` ${port} `) || p.cmdline.includes(`:${port}`)));
}

test(`make load-mixed PROFILE=${wiringProfile} DB=postgres CACHE=redis passes with database and cache tables of numbers`, async () => {
  const outcome = await runMake('load-mixed', { PROFILE: wiringProfile, DB: 'postgres', CACHE: 'redis' });
  assert.equal(outcome.code, 0, outcome.stderr.slice(-3000));
  const runDir = outcome.runDir!;
  const meta = readMeta(runDir);
  assert.deepEqual(meta.backends?.map((b) => b.name), ['PostgreSQL', 'Redis']);
  assert.ok(meta.backends?.every((b) => !b.unexpectedExit));
  assert.match(readFileSync(join(runDir, 'service.log'), 'utf8'), /"database":"postgres 127\.0\.0\.1:\d+/);
  const report = readFileSync(join(runDir, 'REPORT.md'), 'utf8');
  const database = report.split('## Database\n')[1].split('\n## ')[0];
  assert.match(database, /^PostgreSQL \d+\.\d+.*started by loadgate/m);
  assert.match(database, /^\| `main` \| 8 \| \d+\.\d\d \(\d+\.\d\d%\) \| [\d,]+ \| \d+\.\d+ ms \| \d+ \|/m, 'pool row');
  assert.match(database, /From `pg_stat_statements`/);
  assert.match(database, /By total time:\n\n\| Statement .*\n.*\n\| .+ \| [\d,]+ \| [\d.]+ ms \| [\d.]+ ms \| [\d.]+ ms \|/, 'top queries');
  assert.match(database, /^\| `clips` \| 5,000 \| \d+ \| [\d,]+ \| [1-9][\d,]* \| [\d,]+ \|$/m, 'scans of clips');
  assert.match(database, /^\| `idx_clips_feed` \| `clips` \| \d+ \|/m, 'index usage');
  assert.match(database, /^\| `feed` \| [1-9][\d,]* \| [\d,]+ \| \d+\.\d\d \|$/m, 'queries per request');
  assert.match(database, /^Buffer cache hit ratio: \d+\.\d\d% of [\d,]+ block reads/m);
  assert.match(database, /^### EXPLAIN \(ANALYZE, BUFFERS\) of the slowest statement$/m);
  assert.match(database, /Execution Time: [\d.]+ ms/);
  const cache = report.split('## Cache\n')[1].split('\n## ')[0];
  assert.match(cache, /^Redis \d+\.\d+\.\d+, started by loadgate/m);
  assert.match(cache, /^\| `feed` \| [\d,]+ \| [\d,]+ \| \d+\.\d\d% \|$/m);
  assert.match(cache, /^Hit rate: \d+\.\d\d% of [1-9][\d,]* lookups, success criterion > 80\.00% (✅|❌)$/m);
  assert.match(cache, /^\| Memory used \/ limit \| [\d.]+ [KM]iB of 64\.0 MiB \(\d+\.\d\d%\) \|$/m);
  assert.match(cache, /^\| Evictions during the run \| \d+ \|$/m);
  assert.match(cache, /^\| Keys \| [1-9][\d,]* \|$/m);
  assert.deepEqual(leftovers(runDir), [], 'no postgres or redis-server left');
});

test('PostgreSQL killed mid-run: failed requests, the reason recorded, no hang, nothing left behind', async () => {
  const resultsDir = tempResultsDir();
  let cliPid = 0;
  let killed = '';
  const killer = (async () => {
    // The postmaster is the CLI's own child; k6 running means the load has begun.
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const children = processes().filter((p) => cliPid && p.ppid === cliPid);
      const postmaster = children.find((p) => p.comm === 'postgres');
      if (postmaster && children.some((p) => p.comm === 'k6')) {
        await new Promise((resolve) => setTimeout(resolve, 5_000));
        process.kill(postmaster.pid, 'SIGKILL');
        killed = `postmaster ${postmaster.pid}`;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const outcome = await spawnCollect(process.execPath, ['dist/cli.mjs', 'run', 'mixed'], cleanEnv({ PROFILE: 'smoke', DB: 'postgres', RESULTS_DIR: resultsDir }), (pid) => (cliPid = pid));
  await killer;
  assert.ok(killed, `the test found PostgreSQL and k6 to kill under ${cliPid}:\n${outcome.stderr.slice(-2000)}`);
  assert.notEqual(outcome.code, 0);
  assert.ok(outcome.elapsedMs < 120_000, `the run took ${outcome.elapsedMs} ms`);
  const runDir = join(resultsDir, readdirSync(resultsDir).filter((name) => name !== 'latest').sort().at(-1)!);
  const meta = readMeta(runDir);
  assert.match(meta.reason, /PostgreSQL ended during the run \(killed by SIGKILL\)/);
  assert.match(meta.backends?.[0].unexpectedExit ?? '', /killed by SIGKILL/);
  const failed = readSummary(runDir).metrics.http_req_failed?.values;
  assert.ok((failed?.passes ?? 0) > 0, `requests failed after the kill: ${JSON.stringify(failed)}`);
  assert.match(readFileSync(join(runDir, 'REPORT.md'), 'utf8'), /\*\*PostgreSQL ended during the run \(killed by SIGKILL\)/);
  assert.deepEqual(leftovers(runDir), [], 'no postgres process left');
});
