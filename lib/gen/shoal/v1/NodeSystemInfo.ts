// Original file: proto/shoal/v1/core.proto


export interface NodeSystemInfo {
  'machineID'?: (string);
  'kernelVersion'?: (string);
  'osImage'?: (string);
  'containerRuntimeVersion'?: (string);
  'kubeletVersion'?: (string);
  'operatingSystem'?: (string);
  'architecture'?: (string);
  '_machineID'?: "machineID";
  '_kernelVersion'?: "kernelVersion";
  '_osImage'?: "osImage";
  '_containerRuntimeVersion'?: "containerRuntimeVersion";
  '_kubeletVersion'?: "kubeletVersion";
  '_operatingSystem'?: "operatingSystem";
  '_architecture'?: "architecture";
}

export interface NodeSystemInfo__Output {
  'machineID'?: (string);
  'kernelVersion'?: (string);
  'osImage'?: (string);
  'containerRuntimeVersion'?: (string);
  'kubeletVersion'?: (string);
  'operatingSystem'?: (string);
  'architecture'?: (string);
}
