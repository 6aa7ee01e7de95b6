// Original file: proto/shoal/v1/api.proto

export const PropagationPolicy = {
  /**
   * Background, as in Kubernetes.
   */
  PROPAGATION_POLICY_UNSPECIFIED: 'PROPAGATION_POLICY_UNSPECIFIED',
  PROPAGATION_POLICY_BACKGROUND: 'PROPAGATION_POLICY_BACKGROUND',
  PROPAGATION_POLICY_FOREGROUND: 'PROPAGATION_POLICY_FOREGROUND',
  PROPAGATION_POLICY_ORPHAN: 'PROPAGATION_POLICY_ORPHAN',
} as const;

export type PropagationPolicy =
  /**
   * Background, as in Kubernetes.
   */
  | 'PROPAGATION_POLICY_UNSPECIFIED'
  | 0
  | 'PROPAGATION_POLICY_BACKGROUND'
  | 1
  | 'PROPAGATION_POLICY_FOREGROUND'
  | 2
  | 'PROPAGATION_POLICY_ORPHAN'
  | 3

export type PropagationPolicy__Output = typeof PropagationPolicy[keyof typeof PropagationPolicy]
