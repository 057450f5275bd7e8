import { runOpeCli } from './ope-command.js';

const code = await runOpeCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
  cwd: process.env.INIT_CWD ?? process.cwd(),
});
process.exitCode = code;
