// Entry point of dist/cli.js (bin `rrq`).
import { redactUrl } from '../core/redisConnection';
import { cliMain, UsageError } from './main';

cliMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n(see rrq --help)\n`);
    else process.stderr.write(`rrq: ${redactUrl(err.message)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
