// Two "hosts" on this machine for fault tests: network namespaces the test makes itself, joined
// by a veth pair with a private /30 that exists inside the namespaces only (nothing is added to
// the machine's own network), and a link that can be cut like a pulled cable and restored.
// See ../../../shared/reference/redis-faults.md (measured facts about cut links here).
//
//   const net = await twoHosts('rrq');     // namespaces rrqA<pid>, rrqB<pid>; addresses net.a.addr, net.b.addr
//   const child = net.spawn(net.b, 'redis-server', [...]);   // a process "on host B"
//   net.cut(); ...; net.restore();
//   await net.remove();                     // ends the processes it started, deletes the namespaces
//
// Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2's `ip`; `netnsMissing()` says what
// is missing, in one sentence, or returns null.
import { spawn, spawnSync } from 'node:child_process';

/** A neighbour address no interface has: frames sent to it are dropped by the peer (not for it). */
const NOWHERE_MAC = '02:00:00:00:00:01';

/** What these tests need and this machine lacks (null: nothing). */
export function netnsMissing() {
  const needs = 'This test makes network namespaces and cuts a link between them: it needs root and iproute2\'s `ip` (Debian: apt-get install -y iproute2)';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return `${needs}; it runs as uid ${process.getuid()}, not root.`;
  const ip = spawnSync('ip', ['-V'], { encoding: 'utf8' });
  if (ip.error || ip.status !== 0) return `${needs}; \`ip\` is not on the PATH (${ip.error?.message ?? ip.stderr.trim()}).`;
  return null;
}

function ip(...args) {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`ip ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.trim()}`);
  return r.stdout;
}

/**
 * Namespaces `<prefix>A<pid>` and `<prefix>B<pid>` (the pid keeps concurrent runs apart), a veth
 * pair between them (A: 10.201.0.1/30, B: 10.201.0.2/30), `lo` and the pair up. Whatever was
 * made is removed again if a step fails.
 */
export async function twoHosts(prefix = 'rrq') {
  const missing = netnsMissing();
  if (missing) throw new Error(missing);
  const tag = process.pid;
  const a = { ns: `${prefix}A${tag}`, dev: `${prefix}a${tag}`.slice(0, 15), addr: '10.201.0.1' };
  const b = { ns: `${prefix}B${tag}`, dev: `${prefix}b${tag}`.slice(0, 15), addr: '10.201.0.2' };
  const made = [];
  const children = [];
  const net = {
    a,
    b,
    /** A process in host `h`'s namespace (`ip netns exec` execs it: the child's pid is the program's). */
    spawn(h, command, args, options = {}) {
      const child = spawn('ip', ['netns', 'exec', h.ns, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
      let output = '';
      child.stdout?.on('data', (d) => { output += d; });
      child.stderr?.on('data', (d) => { output += d; });
      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
      const handle = {
        child,
        pid: child.pid,
        exited,
        output: () => output,
        async kill(signal = 'SIGKILL') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          await exited;
        },
      };
      children.push(handle);
      return handle;
    },
    /**
     * Cut the link the way a pulled cable does: it stays up, but each side's neighbour entry for
     * the other points at an address nobody has, so every frame is dropped. Established TCP
     * connections get no error; they just hear nothing.
     */
    cut() {
      ip('-n', a.ns, 'neigh', 'replace', b.addr, 'lladdr', NOWHERE_MAC, 'dev', a.dev, 'nud', 'permanent');
      ip('-n', b.ns, 'neigh', 'replace', a.addr, 'lladdr', NOWHERE_MAC, 'dev', b.dev, 'nud', 'permanent');
    },
    /** The cable back in: the wrong entries go, and the next frame finds the peer again (ARP). */
    restore() {
      ip('-n', a.ns, 'neigh', 'del', b.addr, 'dev', a.dev);
      ip('-n', b.ns, 'neigh', 'del', a.addr, 'dev', b.dev);
    },
    /** Ends the processes it started (SIGKILL), then deletes the namespaces (and with them the veth pair). */
    async remove() {
      await Promise.all(children.map((c) => c.kill()));
      const errors = [];
      for (const ns of made.reverse()) {
        try {
          ip('netns', 'del', ns);
        } catch (err) {
          errors.push(err.message);
        }
      }
      made.length = 0;
      if (errors.length) throw new Error(errors.join('; '));
    },
  };
  try {
    for (const h of [a, b]) {
      ip('netns', 'add', h.ns);
      made.push(h.ns);
    }
    // Made in A, the B end moved into B: nothing of it stays in the machine's own namespace.
    ip('-n', a.ns, 'link', 'add', a.dev, 'type', 'veth', 'peer', 'name', b.dev, 'netns', b.ns);
    for (const h of [a, b]) {
      ip('-n', h.ns, 'addr', 'add', `${h.addr}/30`, 'dev', h.dev);
      ip('-n', h.ns, 'link', 'set', 'lo', 'up');
      ip('-n', h.ns, 'link', 'set', h.dev, 'up');
    }
  } catch (err) {
    await net.remove().catch(() => {});
    throw new Error(`Could not make the namespaces and their link (root needs CAP_SYS_ADMIN and CAP_NET_ADMIN here: a container must allow them): ${err.message}`, { cause: err });
  }
  return net;
}
