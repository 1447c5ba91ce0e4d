// dist/delivery.mjs: the two ends of a runner's delivery (delivery.ts), as a program that needs
// only node, for a sidecar beside a k6 runner and a collector pod.
//   node delivery.mjs reduce --in <fifo> --runner <name> --thresholds '<JSON list of keys>' --deliver <http://host:port | unix:path> [--summary <dir>] [--summary-wait-ms <ms>]
//   node delivery.mjs collect --dir <folder> --listen <host:port | unix:path>
import { parseArgs } from 'node:util';
import { exitWith, LoadgateError } from '../exit-codes.ts';
import { parseDestination, reducerReady, runReducer, startCollector } from './delivery.ts';

const usage = 'usage: delivery.mjs reduce --in <fifo> --runner <name> --thresholds <JSON list> --deliver <http://host:port|unix:path> [--summary <dir>] [--summary-wait-ms <ms>] | collect --dir <folder> --listen <host:port|unix:path>';
const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const bad = (why: string) => new LoadgateError('badCommandLine', `${why}; ${usage}`);
  if (command === 'reduce') {
    const { values } = parseArgs({ args: rest, options: { in: { type: 'string' }, runner: { type: 'string' }, thresholds: { type: 'string' }, deliver: { type: 'string' }, summary: { type: 'string' }, 'summary-wait-ms': { type: 'string' } } });
    if (!values.in || !values.runner || !values.thresholds || !values.deliver) throw bad('reduce needs --in, --runner, --thresholds and --deliver');
    let thresholdKeys: unknown;
    try {
      thresholdKeys = JSON.parse(values.thresholds);
    } catch {
      thresholdKeys = null;
    }
    if (!Array.isArray(thresholdKeys) || thresholdKeys.some((key) => typeof key !== 'string')) throw bad(`--thresholds "${values.thresholds}" is not a JSON list of threshold keys`);
    const waitMs = values['summary-wait-ms'] === undefined ? undefined : Number(values['summary-wait-ms']);
    if (waitMs !== undefined && !(waitMs >= 0 && waitMs <= 600_000)) throw bad(`--summary-wait-ms "${values['summary-wait-ms']}" is not a number of milliseconds from 0 to 600000`);
    let destination;
    try {
      destination = parseDestination(values.deliver);
    } catch (error) {
      throw bad((error as Error).message);
    }
    const delivered = await runReducer(
      { input: values.in, runner: values.runner, thresholdKeys: thresholdKeys as string[], destination, summaryDir: values.summary, summaryWaitMs: waitMs },
      log,
      () => process.stdout.write(`${reducerReady}\n`),
    );
    process.exit(delivered ? 0 : 3);
  }
  if (command === 'collect') {
    const { values } = parseArgs({ args: rest, options: { dir: { type: 'string' }, listen: { type: 'string' } } });
    if (!values.dir || !values.listen) throw bad('collect needs --dir and --listen');
    const hostPort = /^(.+):(\d{1,5})$/.exec(values.listen);
    const listen = values.listen.startsWith('unix:') ? { socket: values.listen.slice('unix:'.length) } : hostPort ? { host: hostPort[1], port: Number(hostPort[2]) } : null;
    if (!listen) throw bad(`--listen "${values.listen}" is neither <host>:<port> nor unix:<path>`);
    await startCollector(values.dir, listen);
    log(`collector: storing aggregates in ${values.dir}, listening on ${values.listen}`);
    return;
  }
  throw bad(`unknown command "${command ?? ''}"`);
}

main(process.argv.slice(2)).catch((error: unknown) => exitWith(error, 'delivery'));
