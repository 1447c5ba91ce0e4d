// loadgate's command line: the Makefile's targets call into here, one command of cli/commands.ts
// each. The only place that catches what a command throws and turns it into an exit code.
import { redactText } from '../lib/redact.ts';
import { rememberSecretsOf } from './environment.ts';
import { commands, usageText } from './commands.ts';
import { exitCodes, exitWith } from './exit-codes.ts';
import { choice } from './settings.ts';

/**
 * Before any command: every secret the environment holds is remembered for redaction, everything
 * this process prints passes the redaction, and files are private unless RESULTS_MODE=shared.
 */
function protectSecrets(env: NodeJS.ProcessEnv): void {
  rememberSecretsOf(env);
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === 'string' || Buffer.isBuffer(chunk) ? redactText(chunk.toString()) : chunk, ...rest)) as typeof stream.write;
  }
  // Children inherit the mask: k6's summary files and the servers' files are private too.
  if (choice(env, 'RESULTS_MODE') !== 'shared') process.umask(0o077);
}

async function main(argv: string[]): Promise<number> {
  protectSecrets(process.env);
  const [name, ...args] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usageText()}\n`);
    return 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  const code = command ? await command.run(args, process.env) : undefined;
  if (code !== undefined) return code;
  const known = commands.map((candidate) => candidate.name).join(', ');
  const problem = !name ? 'no command given' : command ? `${name} needs ${command.args}` : `unknown command "${name}"; valid commands are: ${known}`;
  process.stderr.write(`loadgate: ${problem}\n${usageText()}\n`);
  return exitCodes.badCommandLine.code;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  // SettingError: 104; LoadgateError: its own code; anything unforeseen: 2, as a bad command line.
  (error: unknown) => exitWith(error, 'loadgate'),
);
