// The plugins the default profile runs, by extension point, in order, with score weights
// (kube-scheduler's defaults where it has the plugin). Spreading outweighs least-allocated,
// so equal nodes share one owner's pods evenly.
import type { PluginSet } from './framework.js';
import { InterPodAffinity } from './plugins/inter-pod-affinity.js';
import { NodeAffinity } from './plugins/node-affinity.js';
import { NodeReady } from './plugins/node-ready.js';
import { NodeResourcesFit } from './plugins/node-resources-fit.js';
import { NodeResourcesLeastAllocated } from './plugins/node-resources-least-allocated.js';
import { NodeUnschedulable } from './plugins/node-unschedulable.js';
import { SelectorSpread } from './plugins/selector-spread.js';
import { TaintToleration } from './plugins/taint-toleration.js';

export function defaultPlugins(): PluginSet {
  return {
    preFilter: [InterPodAffinity],
    filter: [NodeUnschedulable, NodeReady, TaintToleration, NodeAffinity, NodeResourcesFit, InterPodAffinity],
    score: [
      { plugin: NodeResourcesLeastAllocated, weight: 1 },
      { plugin: NodeAffinity, weight: 2 },
      { plugin: TaintToleration, weight: 3 },
      { plugin: SelectorSpread, weight: 2 },
      { plugin: InterPodAffinity, weight: 2 },
    ],
  };
}
