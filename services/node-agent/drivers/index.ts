// The container drivers and the one factory the node agent (and `shoal up`) picks them with.
import type { ContainerDriver } from '../driver.js';
import { DockerDriver, type DockerDriverOptions } from './docker.js';
import { ProcessDriver, type ProcessDriverOptions } from './process.js';
import { SimulatedDriver, type SimulatedDriverOptions } from './simulated.js';

export { DockerDriver, DEFAULT_SANDBOX_IMAGE, FALLBACK_SANDBOX_IMAGE, type DockerDriverOptions } from './docker.js';
export { ProcessDriver, type ProcessDriverOptions } from './process.js';
export { SimulatedDriver, type SimulatedDriverOptions } from './simulated.js';

export type DriverName = 'docker' | 'process' | 'simulated';

/** Options for every driver; each reads the ones it understands (`dataDir` is required by the
 * process driver only, the network and sandbox options are docker's, `capacity` is the
 * simulated driver's). */
export type DriverOptions = Omit<ProcessDriverOptions, 'dataDir'> &
  Omit<DockerDriverOptions, 'node' | 'internalIP'> &
  Omit<SimulatedDriverOptions, 'node' | 'internalIP'> & { dataDir?: string };

/** The named driver for this node. Creating one has no side effects; fingerprint() sets up. */
export function createDriver(name: DriverName, opts: DriverOptions): ContainerDriver {
  switch (name) {
    case 'docker':
      return new DockerDriver(opts);
    case 'process':
      if (!opts.dataDir) throw new Error('the process driver needs a dataDir');
      return new ProcessDriver({ ...opts, dataDir: opts.dataDir });
    case 'simulated':
      return new SimulatedDriver(opts);
    default:
      throw new Error(`unknown container driver ${String(name)}`);
  }
}
