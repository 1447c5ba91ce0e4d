import { test } from 'node:test';
import assert from 'node:assert/strict';
import { profileNames } from '../../lib/profiles.ts';
import { SettingError, hostOf, parseConfig } from '../../lib/config.ts';
import { refusalFor } from '../../lib/allowlist.ts';

test('defaults point at the loopback target with the baseline profile', () => {
  const config = parseConfig({});
  assert.equal(config.baseUrl, 'http://127.0.0.1:8080');
  assert.equal(config.profileName, 'baseline');
  assert.equal(config.protocol, 'http');
  assert.equal(config.requestTimeoutMs, 10_000);
  assert.equal(config.metricsUrl, 'http://127.0.0.1:8080/metrics');
  assert.equal(config.grpcAddr, '127.0.0.1:9090');
});

test('an unknown profile names the bad value and every valid one', () => {
  assert.throws(
    () => parseConfig({ PROFILE: 'nope' }),
    (error: Error) =>
      error instanceof SettingError &&
      error.message.includes('"nope"') &&
      error.message.includes(profileNames.join(', ')),
  );
});

test('malformed numbers and durations are refused with the valid range', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ LOADGATE_EVENTS_PER_SEC: '10k' }, /LOADGATE_EVENTS_PER_SEC="10k" is not valid; valid values are: a number from 1 to 1000000/],
    [{ LOADGATE_BATCH_SIZE: '2.5' }, /LOADGATE_BATCH_SIZE="2.5" is not valid; valid values are: an integer from 1 to 1000/],
    [{ LOADGATE_VUS: '-3' }, /LOADGATE_VUS="-3" is not valid; valid values are: an integer from 1 to 10000/],
    [{ LOADGATE_REQUEST_TIMEOUT: 'soon' }, /LOADGATE_REQUEST_TIMEOUT="soon" is not valid; valid values are: a duration from 100ms to 10m/],
    [{ LOADGATE_REQUEST_TIMEOUT: '1h' }, /LOADGATE_REQUEST_TIMEOUT="1h" is not valid/],
    [{ PROTOCOL: 'udp' }, /PROTOCOL="udp" is not valid; valid values are: http, grpc/],
    [{ BASE_URL: 'ftp://x' }, /BASE_URL="ftp:\/\/x" is not valid; valid values are: an http\(s\) URL/],
    [{ LOADGATE_METRICS_URL: 'no' }, /LOADGATE_METRICS_URL="no" is not valid; valid values are: an http\(s\) URL such as http:\/\/127.0.0.1:8080, or off/],
    [{ LOADGATE_RATES: 'fed=10' }, /"fed" is not an endpoint; valid endpoints are: feed,/],
  ];
  for (const [env, message] of cases) assert.throws(() => parseConfig(env), message, JSON.stringify(env));
});

test('per-endpoint rates and the metrics switch parse', () => {
  const config = parseConfig({ LOADGATE_RATES: 'feed=300, vote=0', LOADGATE_METRICS_URL: 'off' });
  assert.deepEqual(config.rateOverrides, { feed: 300, vote: 0 });
  assert.equal(config.metricsUrl, '');
});

test('hostOf handles ports, IPv6 brackets and credentials', () => {
  assert.equal(hostOf('http://127.0.0.1:8080/x'), '127.0.0.1');
  assert.equal(hostOf('http://[::1]:8080'), '::1');
  assert.equal(hostOf('https://user:pw@Example.COM/path'), 'example.com');
});

test('the allow-list admits loopback only, unless a host is named', () => {
  for (const url of ['http://127.0.0.1:1', 'http://127.9.8.7', 'http://localhost:80', 'http://[::1]:9']) {
    assert.equal(refusalFor(url, []), null, url);
  }
  for (const url of ['http://blocked.invalid', 'http://198.51.100.20', 'http://127.0.0.1.nip.io', 'http://0.0.0.0:80', 'http://localhost.evil.test']) {
    const refusal = refusalFor(url, []);
    assert.ok(refusal?.includes('LOADGATE_ALLOW_HOSTS='), url);
  }
  assert.equal(refusalFor('http://staging.example.test:8080', ['staging.example.test']), null);
  assert.match(refusalFor('http://blocked.invalid', [])!, /refusing to send load to "blocked.invalid"/);
});
