// Pod templates as the Deployment controller hashes them, shared by the controllers and the
// CLI (rollout undo compares templates the same way).
import type { PodTemplateSpec__Output } from './gen/shoal/v1/PodTemplateSpec.js';

/** The label that ties a ReplicaSet (selector, template) and its pods to one pod template. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** The template without the pod-template-hash label (an empty label map dropped). */
export function templateWithoutHash(template: PodTemplateSpec__Output | undefined): PodTemplateSpec__Output {
  const t = structuredClone(template ?? {});
  const labels = t.metadata?.labels;
  if (labels && POD_TEMPLATE_HASH_LABEL in labels) {
    delete labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(labels).length === 0) delete t.metadata!.labels;
  }
  if (t.metadata && Object.keys(t.metadata).length === 0) delete t.metadata;
  return t;
}
