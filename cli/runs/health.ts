// Waiting for a service to answer its health check: a sweep's restarted service (SWEEP_CMD) and a
// gate's base and head (GATE_CMD) both wait the same way.
export async function waitForHealth(url: string, timeoutMs: number): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(2_000) });
      if (response.ok) return null;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = String((error as Error).cause ?? error);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return `${url} did not answer 200 within ${timeoutMs / 1000} s (last: ${last})`;
}
