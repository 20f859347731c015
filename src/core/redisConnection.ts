// Where Redis is, and how to open connections to it. Passwords stay in memory and in
// the environment of spawned workers; they never appear in URLs that are logged or shown.
import Redis, { type RedisOptions } from 'ioredis';
import { ensureEmbeddedRedis } from './embeddedRedis';
import { isAuthError, RedisAuthError, RedisUnreachableError } from './errors';

export interface RedisTarget {
  /** Options for ioredis (host, port, username, password, db, tls). */
  options: RedisOptions;
  /** Full URL, password included: only for handing to worker processes via their environment. */
  url: string;
  /** Safe to print: the URL with the password replaced. */
  display: string;
  /** How it was chosen: given explicitly, from RRQ_REDIS_URL, local default, or private embedded server. */
  source: 'given' | 'environment' | 'local' | 'embedded';
}

export const DEFAULT_LOCAL_REDIS = 'redis://127.0.0.1:6379';

export function parseRedisUrl(text: string): RedisOptions {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`Invalid Redis URL '${redactUrl(text)}': expected redis://[user:password@]host[:port][/db] or rediss://...`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`Invalid Redis URL '${redactUrl(text)}': the scheme must be redis:// or rediss://`);
  }
  const options: RedisOptions = {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
  };
  if (url.username) options.username = decodeURIComponent(url.username);
  if (url.password) options.password = decodeURIComponent(url.password);
  const db = url.pathname.replace(/^\//, '');
  if (db) {
    if (!/^\d+$/.test(db)) throw new Error(`Invalid Redis URL '${redactUrl(text)}': the path must be a database number`);
    options.db = Number(db);
  }
  if (url.protocol === 'rediss:') options.tls = { servername: options.host! };
  return options;
}

export function urlFromOptions(options: RedisOptions): string {
  const scheme = options.tls ? 'rediss' : 'redis';
  const host = options.host ?? '127.0.0.1';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  let auth = '';
  if (options.username || options.password) {
    auth = `${encodeURIComponent(options.username ?? '')}${options.password ? `:${encodeURIComponent(options.password)}` : ''}@`;
  }
  const db = options.db ? `/${options.db}` : '';
  return `${scheme}://${auth}${hostPart}:${options.port ?? 6379}${db}`;
}

/** Replace the password in a Redis URL (or in any text containing one) with `***`. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][\w+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/gi, '$1***@');
}

function target(options: RedisOptions, source: RedisTarget['source']): RedisTarget {
  const url = urlFromOptions(options);
  return { options, url, display: redactUrl(url), source };
}

/** Connections fail fast at start-up so a wrong address is reported, not retried forever. */
export async function openConnection(t: RedisTarget, name: string, extra: RedisOptions = {}): Promise<Redis> {
  const redis = new Redis({
    ...t.options,
    connectionName: name,
    lazyConnect: true,
    enableReadyCheck: true,
    maxRetriesPerRequest: null,
    ...extra,
  });
  // ioredis emits 'error' on every failed reconnect; a listener keeps them from being unhandled.
  // The first one is kept: for a refused password (NOAUTH, WRONGPASS) it is the only place the
  // reason shows; connect() itself then says just "Connection is closed".
  let firstError: Error | null = null;
  redis.on('error', (err: Error) => {
    firstError ??= err;
  });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    const seen = firstError as Error | null;
    const refused = seen !== null && isAuthError(seen.message);
    const message = `Cannot connect to Redis at ${t.display}: ${redactUrl((refused ? seen : (err as Error)).message)}`;
    throw refused ? new RedisAuthError(message) : new RedisUnreachableError(message);
  }
  return redis;
}

/**
 * Another connection to a Redis already reached (the first connection showed that it is there
 * and lets us in): it does not fail while Redis is away for a moment (a restart, a cut link);
 * its commands wait, and run once it is back.
 */
export function openFurtherConnection(t: RedisTarget, name: string): Redis {
  const redis = new Redis({ ...t.options, connectionName: name, maxRetriesPerRequest: null, enableReadyCheck: true });
  redis.on('error', () => { /* it reconnects by itself; whoever waits on it sees the outcome */ });
  return redis;
}

async function answersPing(options: RedisOptions): Promise<boolean> {
  const probe = new Redis({
    ...options, lazyConnect: true, connectTimeout: 500, maxRetriesPerRequest: 0, retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/**
 * Choose the Redis to use: the one given, else RRQ_REDIS_URL, else redis://127.0.0.1:6379 if it
 * answers, else a private redis-server this tool starts (and reuses on later runs).
 */
export async function resolveRedisTarget(
  redis?: string | RedisOptions,
  /** The local Redis to try before starting a private one (tests point this elsewhere). */
  localDefault = DEFAULT_LOCAL_REDIS,
  /** Start a private redis-server when nothing else is available (else fail with a clear error). */
  startEmbedded = true,
): Promise<RedisTarget> {
  if (typeof redis === 'string' && redis !== '') return target(parseRedisUrl(redis), 'given');
  if (redis && typeof redis === 'object') return target({ ...redis }, 'given');
  const fromEnv = process.env.RRQ_REDIS_URL;
  if (fromEnv) return target(parseRedisUrl(fromEnv), 'environment');
  const local = parseRedisUrl(localDefault);
  if (await answersPing(local)) return target(local, 'local');
  if (!startEmbedded) throw new Error(`No Redis configured and none answers at ${localDefault}.`);
  const embedded = await ensureEmbeddedRedis(answersPing);
  return target({ host: '127.0.0.1', port: embedded.port }, 'embedded');
}

/**
 * Errors of a lost connection (or of a Redis still loading its data after a restart): the
 * command may not have run, and trying again once Redis is back is the answer.
 */
export function isConnectionError(err: unknown): boolean {
  const message = (err as Error | undefined)?.message ?? '';
  return /Connection is closed|Stream isn't writeable|ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|Command aborted|^LOADING|^BUSY|^MASTERDOWN|^TRYAGAIN/.test(message);
}

/** Resolves once the connection is ready again (ioredis reconnects by itself). */
export async function whenReady(redis: Redis, shouldStop: () => boolean = () => false): Promise<void> {
  while (redis.status !== 'ready' && !shouldStop()) {
    if (redis.status === 'end') redis.connect().catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Run a read (or any command safe to repeat) again, once Redis is back, for as long as the connection is what fails. */
export async function retryWhileDisconnected<T>(redis: Redis, read: () => Promise<T>, deadline = Infinity): Promise<T> {
  for (;;) {
    try {
      return await read();
    } catch (err) {
      if (!isConnectionError(err) || Date.now() > deadline) throw err;
      await whenReady(redis, () => Date.now() > deadline);
    }
  }
}

/**
 * For connections made with autoResendUnfulfilledCommands off (so that nothing runs twice):
 * ioredis then drops the commands in flight when the connection closes, and their promises
 * never settle. `guard(command)` rejects instead, with a connection error, at that close.
 */
export class InFlightGuard {
  private closed!: Promise<never>;
  private fail!: (err: Error) => void;

  constructor(redis: Redis) {
    this.renew();
    redis.on('close', () => {
      this.fail(new Error('Connection is closed. (a command in flight may or may not have run)'));
      this.renew();
    });
  }

  private renew(): void {
    this.closed = new Promise<never>((_, reject) => { this.fail = reject; });
    this.closed.catch(() => {});
  }

  guard<T>(command: Promise<T>): Promise<T> {
    return Promise.race([command, this.closed]);
  }
}
