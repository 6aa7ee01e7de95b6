// The agent's Prometheus metrics, in its own registry (several agents share a process in
// `shoal up --nodes N` and in tests).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { newMetricsRegistry } from '../../lib/metrics.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface AgentMetrics {
  registry: Registry;
  /** Why a container instance was started: "initial" for the first, else how the previous
   * one ended ("Completed", "Error", "OOMKilled", "LivenessProbe", "StartupProbe", ...). */
  containerStarts: Counter<'reason'>;
  probeResults: Counter<'probe' | 'result'>;
  /** From the pod's creation (or first sight, if older) to every container running. */
  podStartDuration: Histogram;
}

/** `podsRunning` is read at scrape time. */
export function newAgentMetrics(nodeName: string, podsRunning: () => number): AgentMetrics {
  const registry = newMetricsRegistry('node-agent');
  registry.setDefaultLabels({ service: 'node-agent', node: nodeName });
  new Gauge({
    name: 'shoal_agent_pods_running',
    help: 'Pods on this node in phase Running.',
    registers: [registry],
    collect() {
      this.set(podsRunning());
    },
  });
  return {
    registry,
    containerStarts: new Counter({
      name: 'shoal_agent_container_starts_total',
      help: 'Containers started, by why: initial, or how the previous instance ended.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    probeResults: new Counter({
      name: 'shoal_agent_probe_results_total',
      help: 'Probe runs by probe kind and result.',
      labelNames: ['probe', 'result'],
      registers: [registry],
    }),
    podStartDuration: new Histogram({
      name: 'shoal_agent_pod_start_duration_seconds',
      help: 'From pod creation (or first sight by this agent) until all its containers run.',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300],
      registers: [registry],
    }),
  };
}
