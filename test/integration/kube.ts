// A real Kubernetes API server on loopback for the operator test: Debian's etcd and the
// kube-apiserver `make kube-apiserver` builds, on free ports, torn down in every outcome. No
// controllers or nodes run, so objects are stored and validated but nothing is scheduled.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, root, spawnCollect } from './harness.ts';

/** The binary the Makefile's kube-apiserver rule builds (KUBE_APISERVER_VERSION is written only there). */
export function kubeApiserverBinary(): string {
  const version = /^KUBE_APISERVER_VERSION := (\S+)$/m.exec(readFileSync(join(root, 'Makefile'), 'utf8'))?.[1];
  if (!version) throw new Error('the Makefile pins no KUBE_APISERVER_VERSION');
  return join(root, '.bin', `kube-apiserver-${version}`, 'kube-apiserver');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** SIGTERM to the process group, SIGKILL after 5 s: etcd and the API server flush on TERM. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise((done) => child.once('exit', done));
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface KubeApi {
  kubeconfig: string;
  kubectl: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  close: () => Promise<void>;
}

export async function startKubeApi(): Promise<KubeApi> {
  const dir = mkdtempSync(join(tmpdir(), 'loadgate-kube-'));
  const [client, peer, secure] = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const launch = (command: string, args: string[]) => {
    const child = spawn(command, args, { cwd: dir, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    // Only the tail is kept, for the error message of a server that would not start.
    child.stderr!.on('data', (chunk) => logs.push(String(chunk)) > 50 && logs.shift());
    children.push(child);
  };
  const close = async () => {
    for (const child of children.reverse()) await stop(child);
    rmSync(dir, { recursive: true, force: true });
  };
  // A test that dies mid-way still leaves no etcd or API server behind.
  const onExit = () => children.forEach((child) => child.pid && child.exitCode === null && process.kill(-child.pid, 'SIGKILL'));
  process.once('exit', onExit);
  try {
    launch('etcd', [
      '--name=loadgate', `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${client}`, `--advertise-client-urls=http://127.0.0.1:${client}`,
      `--listen-peer-urls=http://127.0.0.1:${peer}`, `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
      `--initial-cluster=loadgate=http://127.0.0.1:${peer}`,
    ]);
    execFileSync('openssl', ['genrsa', '-out', join(dir, 'sa.key'), '2048'], { stdio: 'ignore' });
    const token = 'loadgate-test-token';
    writeFileSync(join(dir, 'tokens.csv'), `${token},loadgate,loadgate,"system:masters"\n`);
    const binary = kubeApiserverBinary();
    if (!existsSync(binary)) throw new Error(`${binary} is missing; run make kube-apiserver`);
    launch(binary, [
      `--etcd-servers=http://127.0.0.1:${client}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1',
      `--secure-port=${secure}`, `--cert-dir=${join(dir, 'certs')}`, `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=AlwaysAllow', '--service-cluster-ip-range=10.96.0.0/24',
      '--service-account-issuer=https://kubernetes.default.svc', `--service-account-key-file=${join(dir, 'sa.key')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      // No controller creates the default ServiceAccount, which this admission step would wait for.
      '--disable-admission-plugins=ServiceAccount', '--enable-priority-and-fairness=false',
    ]);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'loopback', cluster: { server: `https://127.0.0.1:${secure}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'loadgate', user: { token } }],
      contexts: [{ name: 'loopback', context: { cluster: 'loopback', user: 'loadgate', namespace: 'default' } }],
      'current-context': 'loopback',
    }));
    const kubectl = (args: string[]) => spawnCollect('kubectl', ['--request-timeout=30s', ...args], { ...cleanEnv({}), KUBECONFIG: kubeconfig });
    // Ready once etcd is reachable and the bootstrap (the default namespace among it) is done; bounded.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const exited = children.find((child) => child.exitCode !== null);
      if (exited) throw new Error(`${exited.spawnfile} exited with ${exited.exitCode}: ${logs.join('').slice(-1500)}`);
      const ready = await kubectl(['get', '--raw', '/readyz']);
      if (ready.code === 0 && (await kubectl(['get', 'namespace', 'default'])).code === 0) break;
      if (Date.now() > deadline) throw new Error(`the API server was not ready within 120 s: ${ready.stderr} ${logs.join('').slice(-1500)}`);
      await new Promise((done) => setTimeout(done, 1000));
    }
    return { kubeconfig, kubectl, close: async () => { process.off('exit', onExit); await close(); } };
  } catch (error) {
    process.off('exit', onExit);
    await close();
    throw error;
  }
}
