// `rrq message ...`: send messages, wait for and read their responses.
import { MESSAGE_COMMANDS } from '../core/protocol';
import type { CliCommand, CliContext } from './context';
import { formatHuman, formatTable } from './format';
import { messageArgs, UsageError } from './options';

const workerOption = (c: CliContext) => (c.values.worker ? { workerIds: c.values.worker } : {});
const responseTable = (responses: Record<string, unknown>) => formatTable(Object.entries(responses).map(([w, v]) => [w, formatHuman(v)]));

function commandAndArgs(c: CliContext, name: string): [string, unknown] {
  const [cmd, ...words] = c.rest;
  if (!cmd) throw new UsageError(`message ${name}: a command is needed (${MESSAGE_COMMANDS.join(', ')})`);
  return [cmd, messageArgs(cmd, words)];
}

function messageId(c: CliContext, name: string): string {
  const [id] = c.rest;
  if (!id) throw new UsageError(`message ${name}: a message ID is needed`);
  return id;
}

const send: CliCommand = async (c) => {
  const [cmd, args] = commandAndArgs(c, 'send');
  c.print(await c.ctl.messageSend(cmd, args, workerOption(c)));
  return 0;
};

const sendAndWait: CliCommand = async (c) => {
  const [cmd, args] = commandAndArgs(c, 'send-and-wait');
  const responses = await c.ctl.messageSendAndWait(cmd, args, {
    ...workerOption(c), ...(c.timeout !== undefined ? { timeout: c.timeout } : {}), delete: !c.values.keep,
  });
  c.print(responses, () => responseTable(responses));
  return 0;
};

const response: CliCommand = async (c) => {
  const responses = await c.ctl.messageGetResponse(messageId(c, 'response'), {
    ...workerOption(c), delete: !!c.values.delete, ...(c.timeout !== undefined ? { timeout: c.timeout } : {}),
  });
  c.print(responses, () => responseTable(responses));
  return 0;
};

const hasResponse: CliCommand = async (c) => {
  const has = await c.ctl.messageHasResponse(messageId(c, 'has-response'), workerOption(c));
  c.print(has, () => formatTable(Object.entries(has).map(([w, v]) => [w, String(v)])));
  return 0;
};

const responseIds: CliCommand = async (c) => {
  const [worker] = c.rest;
  if (!worker) throw new UsageError('message response-ids: a WORKER id is needed');
  const ids = await c.ctl.messageResponseIds(worker);
  c.print(ids, () => ids.join('\n'));
  return 0;
};

export const MESSAGE_CLI_COMMANDS: Record<string, CliCommand> = {
  'message send': send,
  'message send-and-wait': sendAndWait,
  'message response': response,
  'message has-response': hasResponse,
  'message response-ids': responseIds,
};
