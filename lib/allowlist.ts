// Decides whether a host may receive load. Pure, so the CLI refuses a host before it starts
// anything and k6 refuses it again in init when someone runs a bundle by hand.
import type { Config } from './config.ts';

// String operations and index loops, not regular expressions or for…of: every k6 VU runs these
// in init, where each regular expression cost a VU about 6 KB and iterating a string makes sobek
// build its iterator machinery, about 10 KB (docs/benchmarks.md).

/** The host part of an http(s) URL, without port or IPv6 brackets, lower-cased. */
export function hostOf(baseUrl: string): string {
  const start = baseUrl.startsWith('http://') ? 7 : baseUrl.startsWith('https://') ? 8 : 0;
  let end = baseUrl.length;
  for (let i = 0; i < 3; i++) {
    const at = baseUrl.indexOf('/?#'[i], start);
    if (at >= 0 && at < end) end = at;
  }
  const withUser = baseUrl.slice(start, end);
  const authority = withUser.slice(withUser.indexOf('@') + 1);
  const host = authority.startsWith('[') ? authority.slice(1, authority.indexOf(']')) : authority.split(':')[0];
  return host.toLowerCase();
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  const octets = host.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => o.length >= 1 && o.length <= 3 && isDigits(o) && Number(o) <= 255);
}

function isDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text[i] < '0' || text[i] > '9') return false;
  return true;
}

/** Returns null when the URL's host may be loaded, otherwise the sentence to show. */
export function refusalFor(baseUrl: string, allowHosts: string[]): string | null {
  const host = hostOf(baseUrl);
  if (isLoopback(host) || allowHosts.includes(host)) return null;
  return (
    `refusing to send load to "${host}" (from ${baseUrl}): only loopback is allowed by default. ` +
    `If you own this host and mean to load it, add it with LOADGATE_ALLOW_HOSTS=${host}`
  );
}

/** Every address a run will contact; each must pass the allow-list. */
export function contactedUrls(config: Config): string[] {
  const urls = [config.baseUrl];
  if (config.metricsUrl) urls.push(config.metricsUrl);
  if (config.protocol === 'grpc') urls.push(`http://${config.grpcAddr}`);
  return urls;
}

/** The first refusal among `urls`, or null when all may be contacted. */
export function firstRefusal(urls: string[], allowHosts: string[]): string | null {
  for (const url of urls) {
    const refusal = refusalFor(url, allowHosts);
    if (refusal) return refusal;
  }
  return null;
}
