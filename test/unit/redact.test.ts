// lib/redact.ts: the one redaction every output passes through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactDeep, redactText, rememberSecret } from '../../lib/redact.ts';
import { rememberSecretsOf, urlCredentialIn } from '../../cli/environment.ts';
import { moveCredentials } from '../../cli/service.ts';
import { secretSourceFile, secretSourceRefusal } from '../../cli/secret-source.ts';

test('credentials are redacted by shape: userinfo, password parameters, credential flags', () => {
  assert.equal(redactText('target http://user:hunter2@api.example.test/x down'), 'target http://(redacted)@api.example.test/x down');
  assert.equal(redactText('postgres://u@h/db?sslmode=disable&password=hunter2'), 'postgres://(redacted)@h/db?sslmode=disable&password=(redacted)');
  assert.equal(redactText('redis://:hunter2@127.0.0.1:6379/0'), 'redis://(redacted)@127.0.0.1:6379/0');
  assert.equal(redactText('make sweep TARGET_ARGS=\'-token-secret hunter2 -fault-headers\''), "make sweep TARGET_ARGS='-token-secret (redacted) -fault-headers'");
  assert.equal(redactText('k6 run --secret-source=mock=api_token=abc x.js'), 'k6 run --secret-source=(redacted) x.js');
  // Nothing that merely looks alike: endpoint names, ordinary flags, URLs without credentials.
  const plain = 'http_req_duration{endpoint:auth_token} -fault-delay feed=200ms http://127.0.0.1:8080/healthz';
  assert.equal(redactText(plain), plain);
});

test('remembered values are redacted wherever they are quoted, encoded too', () => {
  rememberSecret('s3cr3t/v@lue');
  assert.equal(redactText('quoted "s3cr3t/v@lue" and s3cr3t%2Fv%40lue'), 'quoted "(redacted)" and (redacted)');
  rememberSecretsOf({ K6_CLOUD_TOKEN: 'cloud-token-1234', MY_API_KEY: 'unrelated-key-5678', TARGET_ARGS: '-token-secret flag-value-999', BASE_URL: 'http://u:url-password-42@h' });
  for (const value of ['cloud-token-1234', 'unrelated-key-5678', 'flag-value-999', 'url-password-42']) assert.equal(redactText(`x ${value} y`), 'x (redacted) y', value);
  assert.deepEqual(redactDeep({ a: ['cloud-token-1234', 1], b: { c: 'ok' } }), { a: ['(redacted)', 1], b: { c: 'ok' } });
});

test('credential flags move from the service command line to its environment', () => {
  assert.deepEqual(moveCredentials(['-token-secret', 'a', '-fault-headers', '--database-url=postgres://u:p@h/d', '-redis-url', 'redis://:p@h/0']), {
    args: ['-fault-headers'],
    env: { LOADGATE_TARGET_SECRET: 'a', DATABASE_URL: 'postgres://u:p@h/d', REDIS_URL: 'redis://:p@h/0' },
  });
});

test('a URL with a credential is found for the commands that write archives', () => {
  assert.equal(urlCredentialIn({ BASE_URL: 'http://u:p@api.example.test' }), 'BASE_URL');
  assert.equal(urlCredentialIn({ LOADGATE_METRICS_URL: 'http://h/metrics?token=x' }), 'LOADGATE_METRICS_URL');
  assert.equal(urlCredentialIn({ BASE_URL: 'http://api.example.test' }), null);
});

test('a file secret source must exist', () => {
  assert.equal(secretSourceFile('file=name=a,filename=/x/y'), '/x/y');
  assert.match(secretSourceRefusal('file=/nonexistent/x')!, /^LOADGATE_SECRET_SOURCE names the file \/nonexistent\/x, which does not exist/);
  assert.equal(secretSourceRefusal('mock=a=b'), null);
});
