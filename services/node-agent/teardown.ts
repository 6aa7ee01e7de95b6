// Removing every pod container of a node, for a node that is going away for good.
//
// A kubelet that exits leaves its containers running, and so does stop(). But when the node
// itself is a throw-away container (the docker-compose demo's node-1..3, which run their pods
// on the host's Docker), the node's containers must go with it, as they would with a VM:
// otherwise `docker compose down` leaves them behind, still attached to the pod network.
import type { ContainerDriver } from './driver.js';

/** Stops (SIGTERM, then SIGKILL after `graceSeconds`) and removes every container the driver
 * created on this node, app containers before their sandboxes. Returns how many pods it
 * removed. Failures are collected and thrown together after everything was tried. */
export async function removeAllPods(driver: ContainerDriver, graceSeconds: number): Promise<number> {
  const handles = await driver.recover();
  const errors: unknown[] = [];
  const attempt = async (fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (err) {
      errors.push(err);
    }
  };
  await Promise.all(
    handles
      .filter((h) => h.role === 'container')
      .map((h) =>
        attempt(async () => {
          if (h.status.state === 'running') await driver.stopContainer(h.id, graceSeconds);
          await driver.removeContainer(h.id);
        }),
      ),
  );
  const pods = new Map(handles.map((h) => [h.pod.uid, h.pod]));
  await Promise.all([...pods.values()].map((pod) => attempt(() => driver.removeSandbox(pod))));
  if (errors.length) {
    throw new AggregateError(errors, `removing the node's pods: ${errors.length} failed: ${errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')}`);
  }
  return pods.size;
}
