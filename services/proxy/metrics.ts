// The proxy's Prometheus metrics, per service ("namespace/name"), in the proxy's own registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ProxyMetrics {
  connections: Counter<'service' | 'port'>;
  active: Gauge<'service'>;
  bytes: Counter<'service' | 'direction'>;
  endpointErrors: Counter<'service'>;
  connectSeconds: Histogram<'service'>;
  listeners: Gauge;
}

export function registerProxyMetrics(registry: Registry): ProxyMetrics {
  return {
    connections: new Counter({
      name: 'shoal_proxy_connections_total',
      help: 'Client connections accepted, per service port.',
      labelNames: ['service', 'port'],
      registers: [registry],
    }),
    active: new Gauge({
      name: 'shoal_proxy_active_connections',
      help: 'Client connections open now.',
      labelNames: ['service'],
      registers: [registry],
    }),
    bytes: new Counter({
      name: 'shoal_proxy_bytes_total',
      help: 'Bytes proxied: direction "in" is client to endpoint, "out" endpoint to client.',
      labelNames: ['service', 'direction'],
      registers: [registry],
    }),
    endpointErrors: new Counter({
      name: 'shoal_proxy_endpoint_errors_total',
      help: 'Connects to an endpoint that failed (refused, unreachable, timed out).',
      labelNames: ['service'],
      registers: [registry],
    }),
    connectSeconds: new Histogram({
      name: 'shoal_proxy_upstream_connect_seconds',
      help: 'Time to connect to the chosen endpoint (successful connects).',
      labelNames: ['service'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    listeners: new Gauge({
      name: 'shoal_proxy_listeners',
      help: 'Listening sockets (ClusterIP, NodePort and LoadBalancer addresses).',
      registers: [registry],
    }),
  };
}
