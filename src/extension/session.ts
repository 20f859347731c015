// One connection to one rrq queue for this window: the controller, the live worker view,
// the messages sent from here, and the workers this window spawned. Reconnects when the
// settings change; reports failures as state, never as unhandled rejections. When Redis goes
// away the controller reconnects by itself: the state says 'reconnecting' meanwhile, and once
// it is back the workers are read again, with no reload and nothing for the user to do.
import type { RedisOptions } from 'ioredis';
import * as vscode from 'vscode';
import type { Controller } from '../core/controller';
import type { MessageTracker } from '../core/messageTracker';
import type { WorkerMonitor, WorkerSnapshot } from '../core/monitor';
import type { WorkerSpawnHandle } from '../core/spawn';
import { loadCore } from './coreRuntime';
import { errorMessage, type ExtensionLog } from './log';
import { readSettings } from './settings';

export type SessionState =
  | { kind: 'disconnected' }
  | { kind: 'connecting' }
  | { kind: 'connected'; redis: string; queueId: string }
  /** The connection dropped; the controller is reconnecting by itself (commands sent meanwhile wait). */
  | { kind: 'reconnecting'; redis: string; queueId: string; reason: string }
  | { kind: 'error'; message: string };

const PASSWORD_SECRET = 'rrq.redisPassword';
const WORKER_CONFIG_NAME = 'vscode';
/** How long a command waits for a dropped connection to come back before it says so. */
const RECONNECT_WAIT_MS = 10_000;

export class RrqSession implements vscode.Disposable {
  private readonly stateEmitter = new vscode.EventEmitter<SessionState>();
  private readonly workersEmitter = new vscode.EventEmitter<WorkerSnapshot[]>();
  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires with the new worker list whenever any worker changes. */
  readonly onDidChangeWorkers = this.workersEmitter.event;
  state: SessionState = { kind: 'disconnected' };
  controller: Controller | null = null;
  monitor: WorkerMonitor | null = null;
  tracker: MessageTracker | null = null;
  /** Workers spawned by this window (their processes are children of the extension host). */
  readonly spawned = new Set<WorkerSpawnHandle>();
  private connecting: Promise<Controller> | null = null;
  private unwatchConnection: (() => void) | null = null;
  private stopDetection: (() => void) | null = null;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly secrets: vscode.SecretStorage, private readonly log: ExtensionLog) {
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        // A failure shows as the session's state (status bar, view message).
        if (e.affectsConfiguration('rrq.redisUrl') || e.affectsConfiguration('rrq.queueId')) void this.reconnect().catch(log.swallow('reconnecting after a settings change'));
      }),
      this.stateEmitter, this.workersEmitter,
    );
  }

  get workers(): WorkerSnapshot[] {
    return this.monitor?.workers ?? [];
  }

  private setState(state: SessionState): void {
    this.state = state;
    this.stateEmitter.fire(state);
  }

  /** The controller, connecting first if needed. Rejects with a message fit for the user. */
  connect(options: { startRedis?: boolean } = {}): Promise<Controller> {
    if (this.controller) return Promise.resolve(this.controller);
    this.connecting ??= this.open(options.startRedis ?? true).finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  /** startRedis: with no Redis configured or running locally, start rrq's private one. */
  private async open(startRedis: boolean): Promise<Controller> {
    const settings = readSettings();
    this.setState({ kind: 'connecting' });
    try {
      const { Controller, parseRedisUrl } = loadCore();
      const password = await this.secrets.get(PASSWORD_SECRET);
      let redis: RedisOptions | undefined;
      if (settings.redisUrl) {
        const options = parseRedisUrl(settings.redisUrl);
        if (password && !options.password) options.password = password;
        redis = options;
      }
      const ctl = await Controller.connect({ queueId: settings.queueId, embedded: startRedis, ...(redis ? { redis } : {}) });
      let monitor: WorkerMonitor;
      let tracker: MessageTracker;
      try {
        [monitor, tracker] = await Promise.all([ctl.workerMonitor(), ctl.messageTracker()]);
      } catch (err) {
        await ctl.close().catch(this.log.swallow('closing a connection that failed to start'));
        throw err;
      }
      monitor.onChange((workers) => this.workersEmitter.fire(workers));
      this.controller = ctl;
      this.monitor = monitor;
      this.tracker = tracker;
      this.watchConnection(ctl);
      if (ctl.connected) this.setConnected(ctl);
      else this.setReconnecting(ctl, undefined);
      this.workersEmitter.fire(monitor.workers);
      return ctl;
    } catch (err) {
      this.setState({ kind: 'error', message: errorMessage(err) });
      throw err;
    }
  }

  /**
   * While connected, this window looks for dead workers too (the controller's watch: it looks
   * when the first heartbeat would expire, taking turns with the workers and other controllers),
   * so a worker that dies is found even when no other worker is alive to notice.
   */
  private setConnected(ctl: Controller): void {
    this.stopDetecting();
    this.stopDetection = ctl.workerDetectExitedEvery(undefined, (ids) => this.log.info(`Marked LOST (heartbeat expired): ${ids.join(', ')}`));
    this.setState({ kind: 'connected', redis: ctl.redisDisplay, queueId: ctl.queueId });
  }

  private stopDetecting(): void {
    this.stopDetection?.();
    this.stopDetection = null;
  }

  /** Whether this window is looking for dead workers now (only while connected). */
  get detecting(): boolean {
    return this.stopDetection !== null;
  }

  private setReconnecting(ctl: Controller, reason: string | undefined): void {
    this.stopDetecting();
    this.setState({ kind: 'reconnecting', redis: ctl.redisDisplay, queueId: ctl.queueId, reason: reason ?? 'connection closed' });
  }

  /**
   * Follow the command connection: 'reconnecting' while it is down (with the latest reason:
   * ioredis says why each attempt failed), 'connected' once it is back, and then the workers
   * read again, since events published meanwhile were lost.
   */
  private watchConnection(ctl: Controller): void {
    const stopFollowing = ctl.onConnectionChange((up, reason) => {
      if (this.controller !== ctl) return;
      if (!up) {
        this.log.warn(`Lost the connection to Redis at ${ctl.redisDisplay}${reason ? ` (${reason})` : ''}; reconnecting`);
        this.setReconnecting(ctl, reason);
        return;
      }
      this.log.info(`Reconnected to Redis at ${ctl.redisDisplay}`);
      this.setConnected(ctl);
      void this.monitor?.refresh().catch(this.log.swallow('reading the workers again after reconnecting'));
    });
    const onError = (err: Error) => {
      const state = this.state;
      if (this.controller !== ctl || state.kind !== 'reconnecting' || state.reason === err.message) return;
      this.setState({ ...state, reason: err.message });
    };
    ctl.redis.on('error', onError);
    this.unwatchConnection = () => {
      stopFollowing();
      ctl.redis.off('error', onError);
    };
  }

  /** Resolves true once the state is 'connected' again, false after timeoutMs (or if it ends otherwise). */
  private whenReconnected(timeoutMs: number): Promise<boolean> {
    if (this.state.kind !== 'reconnecting') return Promise.resolve(this.state.kind === 'connected');
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        sub.dispose();
        resolve(value);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      const sub = this.onDidChangeState((s) => {
        if (s.kind !== 'reconnecting') done(s.kind === 'connected');
      });
    });
  }

  /**
   * The controller, connecting first (without starting a private Redis); the error says what to
   * do. While a dropped connection is coming back, waits for it a little, then says so.
   */
  async connected(): Promise<Controller> {
    let ctl: Controller;
    try {
      ctl = this.controller ?? await this.connect({ startRedis: false });
    } catch (err) {
      throw new Error(`Not connected to Redis: ${errorMessage(err)}. Use "rrq: Connect" or check the settings.`, { cause: err });
    }
    await this.untilReconnected();
    return ctl;
  }

  private async untilReconnected(): Promise<void> {
    const state = this.state;
    if (state.kind !== 'reconnecting') return;
    if (await this.whenReconnected(RECONNECT_WAIT_MS)) return;
    const now = this.state;
    if (now.kind === 'connected') return;
    const why = now.kind === 'reconnecting' ? now.reason : state.reason;
    throw new Error(`Redis at ${state.redis} is unreachable (${why}); rrq keeps reconnecting by itself. Try again once the status bar shows the workers, or use "rrq: Connect".`);
  }

  async reconnect(): Promise<Controller> {
    // An attempt still under way read the old settings: let it finish (its failure is its state), then start afresh.
    await this.connecting?.catch(() => undefined);
    await this.closeConnection();
    return this.connect();
  }

  private async closeConnection(): Promise<void> {
    this.unwatchConnection?.();
    this.unwatchConnection = null;
    this.stopDetecting();
    this.monitor?.stop();
    this.tracker?.stop();
    const ctl = this.controller;
    this.controller = null;
    this.monitor = null;
    this.tracker = null;
    if (ctl) await ctl.close().catch(this.log.swallow('closing the Redis connection'));
    this.setState({ kind: 'disconnected' });
    this.workersEmitter.fire([]);
  }

  /** Where spawned workers' Node comes from: the setting, then `node` on PATH, then VS Code's own. */
  nodeForWorkers(): string | undefined {
    const setting = readSettings().nodePath;
    if (setting) return setting;
    return loadCore().findOnPath('node') ?? undefined; // undefined: the host's runtime, as Node (ELECTRON_RUN_AS_NODE)
  }

  async spawnWorkers(n: number, timeoutSeconds = 60): Promise<WorkerSpawnHandle> {
    const ctl = await this.connect();
    await this.untilReconnected();
    const settings = readSettings();
    await ctl.workerConfigSave(WORKER_CONFIG_NAME, {
      pollTimeout: settings.pollTimeout,
      timeoutIdle: settings.timeoutIdle ?? Infinity,
      envir: settings.workerEnvironmentModule || null,
    });
    const nodePath = this.nodeForWorkers();
    const handle = await ctl.workerSpawn(n, {
      config: WORKER_CONFIG_NAME,
      timeout: timeoutSeconds,
      ...(settings.logDirectory ? { logdir: settings.logDirectory } : {}),
      ...(nodePath ? { nodePath } : {}),
    });
    this.spawned.add(handle);
    void handle.exited().then(() => this.spawned.delete(handle));
    return handle;
  }

  /** Keep the Redis password in VS Code's secret storage (never in settings). */
  storePassword(password: string): Thenable<void> {
    return this.secrets.store(PASSWORD_SECRET, password);
  }

  forgetPassword(): Thenable<void> {
    return this.secrets.delete(PASSWORD_SECRET);
  }

  /** Log file of a worker spawned by this window, if any. */
  logFileOf(workerId: string): string | null {
    for (const handle of this.spawned) {
      if (handle.ids.includes(workerId)) return `${handle.logdir}/${workerId}`;
    }
    return null;
  }

  /** On deactivate: STOP the workers this window spawned (unless told to keep them). */
  async shutdown(): Promise<void> {
    const keep = !readSettings().stopWorkersOnExit;
    const handles = [...this.spawned];
    if (keep) {
      await this.closeConnection();
      return;
    }
    const ctl = this.controller;
    // A STOP cannot reach them while Redis is away: then they are killed below, without waiting for it.
    if (ctl?.connected && handles.length > 0) {
      const running = handles.flatMap((h) => h.ids.filter((id) => h.isAlive(id)));
      if (running.length > 0) await ctl.workerStop(running, { timeout: 3 }).catch(this.log.swallow('stopping this window\'s workers on shutdown'));
    }
    // Give stopping workers a moment to exit by themselves; kill only what is still running.
    const exited = Promise.all(handles.map((h) => h.exited()));
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    await Promise.all(handles.map((h) => h.kill()));
    await this.closeConnection();
  }

  dispose(): void {
    this.stopDetecting();
    this.unwatchConnection?.();
    this.unwatchConnection = null;
    for (const d of this.disposables) d.dispose();
  }
}
