// Bearer tokens and the target's signing secret must never land in a run folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startService } from '../../cli/service.ts';
import { runCli } from './harness.ts';
import { requestCountKey } from '../../thresholds/keys.ts';

const users = 10_000;

/** The target's token scheme (target/internal/auth): <user id>.<base64url HMAC-SHA256 of "user:<id>">. */
function tokenFor(secret: string, userId: number): string {
  return `${userId}.${createHmac('sha256', secret).update(`user:${userId}`).digest('base64url')}`;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('no token and no secret appears in any file of the run folder', { timeout: 300_000 }, async () => {
  const secret = randomBytes(24).toString('hex');

  // Prove the scheme matches the real target first, or the search below would prove nothing.
  process.env.LOADGATE_TARGET_SECRET = secret;
  const probe = await startService([], join(tmpdir(), `loadgate-secret-probe-${process.pid}.log`));
  delete process.env.LOADGATE_TARGET_SECRET;
  try {
    const response = await fetch(`${probe.baseUrl}/api/v1/auth/token`, { method: 'POST', body: JSON.stringify({ user_id: 42 }) });
    assert.equal(((await response.json()) as { token: string }).token, tokenFor(secret, 42));
  } finally {
    await probe.stop();
  }

  const signatures = new Set(Array.from({ length: users }, (_, i) => tokenFor(secret, i + 1).split('.')[1]));
  const assertNothingLeaked = (runDir: string, output: string) => {
    const files = filesUnder(runDir);
    assert.ok(files.length >= 8, `searched ${files.length} files`);
    for (const file of files) {
      const content = readFileSync(file).toString('latin1');
      assert.ok(!content.includes(secret), `${file} contains the signing secret`);
      const leaked = (content.match(/[A-Za-z0-9_-]{43}/g) ?? []).filter((candidate) => signatures.has(candidate));
      assert.deepEqual(leaked, [], `${file} contains bearer tokens`);
    }
    assert.ok(!output.includes(secret), 'nor does the terminal output');
  };

  // Tokens issued by the API during the run.
  const issued = await runCli('mixed', { LOADGATE_TARGET_SECRET: secret });
  assert.equal(issued.code, 0, issued.stderr.slice(-2000));
  assertNothingLeaked(issued.runDir!, issued.stdout + issued.stderr);

  // A token handed in through the environment, as for an API that issues tokens elsewhere.
  const handedIn = await runCli('mixed', { LOADGATE_TARGET_SECRET: secret, LOADGATE_TOKEN: tokenFor(secret, 7) });
  assert.equal(handedIn.code, 0, handedIn.stderr.slice(-2000));
  const summary = JSON.parse(readFileSync(join(handedIn.runDir!, 'summary.json'), 'utf8')) as { metrics: Record<string, unknown> };
  assert.ok(summary.metrics[requestCountKey('vote')], 'authenticated requests ran');
  assert.equal(summary.metrics[requestCountKey('auth_token')], undefined, 'no token was requested');
  assertNothingLeaked(handedIn.runDir!, handedIn.stdout + handedIn.stderr);

  // A token from a k6 secret source (a key=value file here).
  const secretsFile = join(mkdtempSync(join(tmpdir(), 'loadgate-secrets-')), 'secrets.txt');
  writeFileSync(secretsFile, `api_token=${tokenFor(secret, 8)}\n`);
  const fromSource = await runCli('mixed', {
    LOADGATE_TARGET_SECRET: secret,
    LOADGATE_SECRET_SOURCE: `file=${secretsFile}`,
    LOADGATE_TOKEN_SECRET: 'api_token',
  });
  assert.equal(fromSource.code, 0, fromSource.stderr.slice(-2000));
  const sourced = JSON.parse(readFileSync(join(fromSource.runDir!, 'summary.json'), 'utf8')) as { metrics: Record<string, { values: { count: number } }> };
  assert.ok(sourced.metrics[requestCountKey('comment_create')].values.count > 0, 'authenticated requests ran');
  assert.equal(sourced.metrics[requestCountKey('auth_token')], undefined, 'no token was requested');
  assertNothingLeaked(fromSource.runDir!, fromSource.stdout + fromSource.stderr);
});
