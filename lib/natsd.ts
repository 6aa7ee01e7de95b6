// Runs a nats-server (JetStream on) as a child process: `shoal up` uses it when no NATS URL
// is configured, and the tests use it as their real NATS.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export interface NatsServerProcess {
  url: string;
  port: number;
  /** Stops the server: SIGTERM, then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** Kills it at once (for failure tests); restart() brings it back on the same port and store. */
  kill(): Promise<void>;
  restart(): Promise<void>;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts nats-server on 127.0.0.1:`port` with JetStream files in `storeDir`. */
export async function startNatsServer(opts: { port: number; storeDir: string; binary?: string }): Promise<NatsServerProcess> {
  const binary = opts.binary ?? 'nats-server';
  let child: ChildProcess;
  let stderr = '';
  // Objects may be up to 3 MiB (the API's request limit); with NATS' default 1 MiB payload
  // every change to a large object would reach informers truncated and make them relist.
  const config = join(opts.storeDir, 'nats-server.conf');
  await mkdir(opts.storeDir, { recursive: true });
  await writeFile(config, 'max_payload: 8MB\n');
  const launch = async (): Promise<void> => {
    stderr = '';
    child = spawn(binary, ['-c', config, '-js', '-a', '127.0.0.1', '-p', String(opts.port), '-sd', opts.storeDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      // Keep only the tail, for the error message if it fails to start.
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const spawnError = new Promise<never>((_, reject) =>
      child.once('error', (err) => reject(new Error(`cannot run ${binary}: ${err.message} (install it: scripts/setup.sh)`))),
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode}: ${stderr}`);
      if (await Promise.race([portOpen(opts.port), spawnError])) return;
      if (Date.now() > deadline) throw new Error(`nats-server did not listen on port ${opts.port} within 10 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await launch();
  return {
    url: `nats://127.0.0.1:${opts.port}`,
    port: opts.port,
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async restart() {
      await launch();
    },
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}

/** A loopback TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
