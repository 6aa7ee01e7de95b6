// `shoal up`: the embedded all-in-one cluster for a laptop. Starts a nats-server child (unless
// a NATS URL is given) and the API server in this process; later services join here.
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { freePort, startNatsServer, type NatsServerProcess } from '../lib/natsd.js';
import { generateToken } from '../services/api/auth.js';
import { startApiServer, type ApiServer } from '../services/api/server.js';
import type { Identity } from '../services/api/auth.js';

export interface UpOptions {
  dataDir: string;
  listen: string;
  metricsListen: string;
  natsUrl?: string;
  log: (line: string) => void;
}

export interface Cluster {
  api: ApiServer;
  configPath: string;
  stop(): Promise<void>;
}

/** Marks a client config that `shoal up` wrote, so it may overwrite it later. */
const GENERATED_MARK = '# written by shoal up';

/** The admin token, kept in the data directory so the client config survives restarts. */
async function loadTokens(dataDir: string): Promise<{ tokens: Record<string, Identity>; admin: string }> {
  const file = join(dataDir, 'tokens.json');
  if (existsSync(file)) {
    const tokens = JSON.parse(await readFile(file, 'utf8')) as Record<string, Identity>;
    const admin = Object.entries(tokens).find(([, id]) => id.user === 'admin')?.[0];
    if (admin) return { tokens, admin };
  }
  const admin = generateToken();
  const tokens = { [admin]: { user: 'admin', groups: ['system:masters'] } };
  await writeFile(file, JSON.stringify(tokens, null, 2), { mode: 0o600 });
  return { tokens, admin };
}

export async function up(opts: UpOptions): Promise<Cluster> {
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { tokens, admin } = await loadTokens(dataDir);

  let nats: NatsServerProcess | undefined;
  let natsUrl = opts.natsUrl;
  if (!natsUrl) {
    const storeDir = join(dataDir, 'nats');
    await mkdir(storeDir, { recursive: true });
    nats = await startNatsServer({ port: await freePort(), storeDir });
    natsUrl = nats.url;
    opts.log(`nats-server started at ${natsUrl} (JetStream in ${storeDir})`);
  }

  let api: ApiServer;
  try {
    api = await startApiServer({ dataDir, listen: opts.listen, metricsListen: opts.metricsListen, natsUrl, tokens });
  } catch (err) {
    await nats?.stop();
    throw err;
  }
  opts.log(`API server listening on ${api.address} (metrics on http://${api.metricsAddress ?? '-'}/metrics)`);

  const config = { server: api.address, token: admin, nats: natsUrl };
  const configPath = join(dataDir, 'admin.yaml');
  await writeFile(configPath, `${GENERATED_MARK}\n${stringify(config)}`, { mode: 0o600 });
  await chmod(configPath, 0o600);
  opts.log(`client config written to ${configPath}`);

  // Make the plain `shoal get ...` work in another terminal, unless the user keeps their own.
  const userConfig = join(homedir(), '.shoal', 'config.yaml');
  const userOwned = existsSync(userConfig) && !(await readFile(userConfig, 'utf8')).startsWith(GENERATED_MARK);
  if (!userOwned) {
    await mkdir(dirname(userConfig), { recursive: true, mode: 0o700 });
    await writeFile(userConfig, `${GENERATED_MARK}\n${stringify(config)}`, { mode: 0o600 });
    opts.log(`and to ${userConfig}`);
  } else {
    opts.log(`(${userConfig} is yours and was left alone: export SHOAL_CONFIG=${configPath})`);
  }

  return {
    api,
    configPath,
    async stop() {
      await api.stop();
      await nats?.stop();
    },
  };
}
