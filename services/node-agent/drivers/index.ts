// The container drivers and the one factory the node agent (and `shoal up`) picks them with.
import type { ContainerDriver } from '../driver.js';
import { ProcessDriver, type ProcessDriverOptions } from './process.js';

export { ProcessDriver, type ProcessDriverOptions } from './process.js';

export type DriverName = 'docker' | 'process' | 'simulated';

/** Options for every driver; each reads the ones it understands. */
export type DriverOptions = ProcessDriverOptions;

/** The named driver for this node. Creating one has no side effects; fingerprint() sets up. */
export function createDriver(name: DriverName, opts: DriverOptions): ContainerDriver {
  switch (name) {
    case 'process':
      return new ProcessDriver(opts);
    default:
      throw new Error(`driver ${name} is not available yet`);
  }
}
