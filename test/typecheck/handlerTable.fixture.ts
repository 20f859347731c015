// Handler tables as a newcomer might write them. See test/unit/handler-table-types.test.mjs.
import { MESSAGE_HANDLERS, type MessageHandlers } from '../../src/workerProcess/handlers';

// Complete: compiles.
export const complete: MessageHandlers = { ...MESSAGE_HANDLERS };

// STOP forgotten: error TS2741, Property 'STOP' is missing.
const { STOP: _stop, ...withoutStop } = MESSAGE_HANDLERS;
export const missing: MessageHandlers = withoutStop;

// STOP misspelt: error TS2561, 'STOPP' does not exist in type 'MessageHandlers'. Did you mean to write 'STOP'?
export const misspelt: MessageHandlers = { ...withoutStop, STOPP: MESSAGE_HANDLERS.STOP };
