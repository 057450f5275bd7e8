import { runSimulateCli } from './simulate-command.js';

const code = await runSimulateCli(process.argv.slice(2), {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  cwd: process.env.INIT_CWD ?? process.cwd(),
  progress: process.stdout.isTTY ? process.stderr : null,
});
process.exitCode = code;
