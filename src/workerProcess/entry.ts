// Entry point of dist/worker.js.
import { redactUrl } from '../core/redisConnection';
import { workerMain } from './main';

workerMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`rrq worker failed: ${redactUrl(err.stack ?? err.message)}\n`);
    process.exit(1);
  },
);
