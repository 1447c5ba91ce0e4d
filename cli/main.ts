// loadgate's command line: the Makefile's targets call into here, one command of cli/commands.ts
// each. The only place that catches what a command throws and turns it into an exit code.
import { commands, usageText } from './commands.ts';
import { exitCodes } from './record.ts';

async function main(argv: string[]): Promise<number> {
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
  (error: unknown) => {
    process.stderr.write(`loadgate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(exitCodes.badCommandLine.code);
  },
);
