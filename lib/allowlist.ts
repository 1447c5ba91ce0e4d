// Decides whether a host may receive load. Pure, so the CLI refuses a host before it starts
// anything and k6 refuses it again in init when someone runs a bundle by hand.
import type { Config } from './config.ts';

/** The host part of an http(s) URL, without port or IPv6 brackets, lower-cased. */
export function hostOf(baseUrl: string): string {
  const authority = baseUrl.replace(/^https?:\/\//, '').split(/[/?#]/)[0].replace(/^[^@]*@/, '');
  const host = authority.startsWith('[') ? authority.slice(1, authority.indexOf(']')) : authority.split(':')[0];
  return host.toLowerCase();
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  const octets = host.split('.');
  return octets.length === 4 && octets[0] === '127' && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
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
