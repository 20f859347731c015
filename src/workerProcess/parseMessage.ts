// Reading one element of a worker's message list. Anything written there by hand or by a
// broken client is turned into a message that can be answered (with an error naming the
// problem), never into an exception that stops the worker.
import { decodeValue } from '../core/encoding';
import { formatMessageId, MESSAGE_ID_PATTERN } from '../core/ids';
import type { MessageRecord } from '../core/protocol';

export interface ParsedMessage {
  id: string;
  command: string;
  args: unknown;
  /** Why the message could not be read, if it could not. */
  problem?: string;
  /** The id was made up here (the message had no valid one): nobody can be waiting for its answer. */
  syntheticId?: boolean;
}

let syntheticCounter = 0;

/** An id for a message that came without a valid one, from the worker's clock. */
function syntheticMessageId(): string {
  const now = Date.now();
  return formatMessageId(Math.floor(now / 1000), (now % 1000) * 1000 + (syntheticCounter++ % 1000));
}

function unreadable(problem: string, id?: string, command = 'INVALID'): ParsedMessage {
  return id === undefined
    ? { id: syntheticMessageId(), command, args: undefined, problem, syntheticId: true }
    : { id, command, args: undefined, problem };
}

export function parseMessage(raw: string): ParsedMessage {
  let record: Partial<MessageRecord>;
  try {
    record = JSON.parse(raw) as Partial<MessageRecord>;
  } catch {
    return unreadable(`Malformed message (not JSON): ${raw.slice(0, 120)}`);
  }
  if (!record || typeof record !== 'object' || Array.isArray(record)) {
    return unreadable(`Malformed message (not an object): ${raw.slice(0, 120)}`);
  }
  if (typeof record.id !== 'string' || !MESSAGE_ID_PATTERN.test(record.id)) {
    return unreadable(`Malformed message (missing or invalid id ${JSON.stringify(record.id)})`);
  }
  const id = record.id;
  if (typeof record.command !== 'string' || record.command === '') {
    return unreadable(`Malformed message ${id} (missing command)`, id);
  }
  let args: unknown;
  if (record.args !== undefined) {
    try {
      args = decodeValue(String(record.args));
    } catch (err) {
      return unreadable(`Malformed arguments of message ${id} (${record.command}): ${(err as Error).message}`, id, record.command);
    }
  }
  return { id, command: record.command, args };
}
