// The cluster DNS domain, normalised in one place: the proxy answers for it and the node agent
// writes it into pods' search paths, so both must read `--cluster-domain` the same way (a
// ` Cluster.Local. ` the proxy matched as `cluster.local` but the agent wrote verbatim would
// give pods a search path the server does not answer for).

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** DNS labels as a search path needs them (RFC 1123 host names: letters, digits, hyphens,
 * not at either end, 1-63 characters). */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The cluster domain as the proxy and the node agent use it: trimmed, lower case, without
 * leading or trailing dots; `cluster.local` when empty or absent. Throws an Error naming the
 * flag when what is left is not a DNS name of RFC 1123 labels of at most 253 characters.
 */
export function normalizeClusterDomain(raw: string | undefined): string {
  const domain = (raw ?? '').trim().toLowerCase().replace(/^\.+|\.+$/g, '');
  if (domain === '') return DEFAULT_CLUSTER_DOMAIN;
  if (domain.length > 253 || !domain.split('.').every((label) => LABEL.test(label))) {
    throw new Error(`invalid cluster domain ${JSON.stringify(raw)}: want a DNS name such as cluster.local (letters, digits and hyphens, dot-separated)`);
  }
  return domain;
}
