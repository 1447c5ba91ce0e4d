// A small API of another shape than loadgate's reference service, for the "Your own API" guide
// and its test: /v2 routes, a health check at /v2/health, a login that returns `access_token`,
// tokens sent as `Authorization: Token <token>`, a client header every request must carry, a
// router that answers 404 to any method a route does not serve (OPTIONS included), and Prometheus
// metrics named http_server_duration_seconds{path,status}. Loopback only; the port is printed as JSON.
//   node examples/quotes/server.mjs [port]
// Faults, for the tests:
//   QUOTES_LIKES_STATUS=403      every like fails with that status
//   QUOTES_FAIL_ROUTE=/v2/quotes QUOTES_FAIL_RATIO=0.5 QUOTES_FAIL_AFTER_S=10
//                                that route answers 503 to this share of requests, spread evenly (default all),
//                                from this many seconds after the first request (default 0)
//   QUOTES_ROUTER=405            answer 405 for a known path asked with another method, as many
//                                routers do (the pre-flight can then tell a missing write route)
//   QUOTES_WITHOUT_LIKES=1       serve no likes route at all
import { createServer } from 'node:http';

const fault = {
  route: process.env.QUOTES_FAIL_ROUTE,
  ratio: Number(process.env.QUOTES_FAIL_RATIO ?? 1),
  afterMs: Number(process.env.QUOTES_FAIL_AFTER_S ?? 0) * 1000,
};
let firstRequestAt = null;
// Spread evenly, not drawn at random: at 0.5 every second request fails, so a short run that
// stops early still sees both answers (a random draw failed all of a few likes now and then).
let faultDebt = 0;
const injectFault = (path) => {
  if (fault.route !== path || Date.now() - firstRequestAt < fault.afterMs) return false;
  faultDebt += fault.ratio;
  if (faultDebt < 1) return false;
  faultDebt -= 1;
  return true;
};

const quotes = Array.from({ length: 200 }, (_, i) => ({ id: i + 1, text: `quote ${i + 1}`, likes: 0 }));
const tokens = new Set();
const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
const series = new Map(); // `${path}\t${status}` → { counts per bucket, sum, count }

function observe(path, status, seconds) {
  const key = `${path}\t${status}`;
  const s = series.get(key) ?? { counts: buckets.map(() => 0), sum: 0, count: 0 };
  buckets.forEach((le, i) => seconds <= le && s.counts[i]++);
  s.sum += seconds;
  s.count++;
  series.set(key, s);
}

function metricsText() {
  const lines = ['# HELP http_server_duration_seconds Request latency by route and status.', '# TYPE http_server_duration_seconds histogram'];
  for (const [key, s] of series) {
    const [path, status] = key.split('\t');
    const labels = `path="${path}",status="${status}"`;
    buckets.forEach((le, i) => lines.push(`http_server_duration_seconds_bucket{${labels},le="${le}"} ${s.counts[i]}`));
    lines.push(`http_server_duration_seconds_bucket{${labels},le="+Inf"} ${s.count}`);
    lines.push(`http_server_duration_seconds_sum{${labels}} ${s.sum}`, `http_server_duration_seconds_count{${labels}} ${s.count}`);
  }
  return `${lines.join('\n')}\n`;
}

const routes = [
  { method: 'GET', pattern: /^\/v2\/quotes$/, path: '/v2/quotes', handle: () => [200, { items: quotes.slice(0, 20) }] },
  { method: 'GET', pattern: /^\/v2\/quotes\/(\d+)$/, path: '/v2/quotes/{id}', handle: ([id]) => (quotes[id - 1] ? [200, quotes[id - 1]] : [404, { error: 'no such quote' }]) },
  {
    method: 'POST',
    pattern: /^\/v2\/quotes\/(\d+)\/likes$/,
    path: '/v2/quotes/{id}/likes',
    handle: ([id], request) => {
      if (process.env.QUOTES_LIKES_STATUS) return [Number(process.env.QUOTES_LIKES_STATUS), { error: 'likes are switched off' }];
      const [scheme, token] = (request.headers.authorization ?? '').split(' ');
      if (scheme !== 'Token' || !tokens.has(token)) return [401, { error: 'login first, then send Authorization: Token <token>' }];
      if (!quotes[id - 1]) return [404, { error: 'no such quote' }];
      return [201, { id: Number(id), likes: ++quotes[id - 1].likes }];
    },
  },
  {
    method: 'POST',
    pattern: /^\/v2\/login$/,
    path: '/v2/login',
    handle: (_, request, body) => {
      const token = `t-${JSON.parse(body || '{}').user ?? 'anonymous'}-${tokens.size}`;
      tokens.add(token);
      return [200, { access_token: token }];
    },
  },
];

const server = createServer((request, response) => {
  const started = process.hrtime.bigint();
  let body = '';
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const url = new URL(request.url, 'http://localhost');
    const send = (status, payload, type = 'application/json') => {
      response.writeHead(status, { 'Content-Type': type });
      response.end(type === 'application/json' ? JSON.stringify(payload) : payload);
    };
    firstRequestAt ??= Date.now();
    const router405 = process.env.QUOTES_ROUTER === '405';
    if (url.pathname === '/v2/health') {
      return request.method === 'GET' ? send(200, { service: 'quotes', version: '2' }) : send(router405 ? 405 : 404, { error: 'GET only' });
    }
    if (url.pathname === '/metrics') return send(200, metricsText(), 'text/plain; version=0.0.4');
    // Like many routers, one that knows routes by method and path: anything else is 404.
    const served = routes.filter((r) => r.pattern.test(url.pathname) && !(process.env.QUOTES_WITHOUT_LIKES && r.path.endsWith('/likes')));
    const route = served.find((r) => r.method === request.method);
    if (!route) return send(served.length && router405 ? 405 : 404, { error: `${request.method} ${url.pathname} is not served here` });
    if (request.headers['x-quotes-client'] !== 'loadgate') return send(400, { error: 'send X-Quotes-Client: loadgate' });
    const [status, payload] = injectFault(route.path) ? [503, { error: 'injected fault' }] : route.handle(route.pattern.exec(url.pathname).slice(1), request, body);
    send(status, payload);
    observe(route.path, status, Number(process.hrtime.bigint() - started) / 1e9);
  });
});

server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  console.log(JSON.stringify({ listening: `127.0.0.1:${server.address().port}` }));
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
