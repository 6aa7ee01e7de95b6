// Original file: proto/shoal/v1/core.proto


export interface ContainerStateTerminated {
  'exitCode'?: (number);
  'signal'?: (number);
  'reason'?: (string);
  'message'?: (string);
  'startedAt'?: (string);
  'finishedAt'?: (string);
  'containerID'?: (string);
  '_exitCode'?: "exitCode";
  '_signal'?: "signal";
  '_reason'?: "reason";
  '_message'?: "message";
  '_startedAt'?: "startedAt";
  '_finishedAt'?: "finishedAt";
  '_containerID'?: "containerID";
}

export interface ContainerStateTerminated__Output {
  'exitCode'?: (number);
  'signal'?: (number);
  'reason'?: (string);
  'message'?: (string);
  'startedAt'?: (string);
  'finishedAt'?: (string);
  'containerID'?: (string);
}
