// The throwaway PostgreSQL and Redis of DB=postgres and CACHE=redis are locked to the user who
// started them: another local user (nobody) reaching the loopback port gets no session, while the
// service's own URL (with the generated password) does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRunConfig } from '../../cli/run-config.ts';
import { startBackends } from '../../cli/backends.ts';

/** Runs a command as `nobody`, as any other local user could. */
function asNobody(command: string, args: string[]) {
  return spawnSync('runuser', ['-u', 'nobody', '--', command, ...args], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH } });
}

test('another user cannot connect to the throwaway PostgreSQL or Redis; the service URL can', { timeout: 180_000 }, async () => {
  assert.equal(process.getuid?.(), 0, 'runuser needs root; the test machine runs tests as root');
  const runDir = mkdtempSync(join(tmpdir(), 'loadgate-lock-'));
  const backends = await startBackends(parseRunConfig({ DB: 'postgres', CACHE: 'redis', PROFILE: 'smoke' }), runDir, () => {});
  try {
    const [postgres, redis] = backends.record();
    const pgPort = /:(\d+)\//.exec(postgres.address)![1];
    const redisPort = /:(\d+)\//.exec(redis.address)![1];
    assert.ok(!postgres.address.includes(':@') && !/\/\/[^/]*:[^/]*@/.test(postgres.address), 'the recorded address has no password');

    for (const user of ['postgres', 'loadgate']) {
      const refused = asNobody('psql', ['-h', '127.0.0.1', '-p', pgPort, '-U', user, '-w', '-d', 'postgres', '-c', 'select 1']);
      assert.notEqual(refused.status, 0, `nobody connected to PostgreSQL as ${user}: ${refused.stdout}`);
      assert.match(refused.stderr, /password authentication failed|no password supplied|fe_sendauth/, refused.stderr);
    }
    const refusedRedis = asNobody('redis-cli', ['-h', '127.0.0.1', '-p', redisPort, 'ping']);
    assert.doesNotMatch(refusedRedis.stdout, /PONG/, 'nobody got an answer from Redis');
    assert.match(refusedRedis.stdout + refusedRedis.stderr, /NOAUTH/);

    // The same servers do serve the URL the reference service is given, so the refusals above are the lock.
    const ok = spawnSync('psql', [backends.serviceEnv.DATABASE_URL, '-w', '-At', '-c', 'select 1'], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH } });
    assert.equal(ok.stdout.trim(), '1', ok.stderr);
    const password = decodeURIComponent(new URL(backends.serviceEnv.REDIS_URL).password);
    const pong = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', redisPort, 'ping'], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, REDISCLI_AUTH: password } });
    assert.equal(pong.stdout.trim(), 'PONG', pong.stderr);

    // The password files and sockets live in folders only their owner can enter.
    const folders = readdirSync(tmpdir()).filter((name) => /^loadgate-(postgres|redis)-/.test(name)).map((name) => join(tmpdir(), name));
    assert.ok(folders.length >= 2);
    for (const folder of folders.filter(existsSync)) assert.equal(statSync(folder).mode & 0o077, 0, `${folder} is private`);
  } finally {
    await backends.stop();
  }
});
