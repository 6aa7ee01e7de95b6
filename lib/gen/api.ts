import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { Affinity as _shoal_v1_Affinity, Affinity__Output as _shoal_v1_Affinity__Output } from './shoal/v1/Affinity.js';
import type { ApplyRequest as _shoal_v1_ApplyRequest, ApplyRequest__Output as _shoal_v1_ApplyRequest__Output } from './shoal/v1/ApplyRequest.js';
import type { ApplyResponse as _shoal_v1_ApplyResponse, ApplyResponse__Output as _shoal_v1_ApplyResponse__Output } from './shoal/v1/ApplyResponse.js';
import type { ApplyResult as _shoal_v1_ApplyResult, ApplyResult__Output as _shoal_v1_ApplyResult__Output } from './shoal/v1/ApplyResult.js';
import type { ClientIPConfig as _shoal_v1_ClientIPConfig, ClientIPConfig__Output as _shoal_v1_ClientIPConfig__Output } from './shoal/v1/ClientIPConfig.js';
import type { Condition as _shoal_v1_Condition, Condition__Output as _shoal_v1_Condition__Output } from './shoal/v1/Condition.js';
import type { ConfigMap as _shoal_v1_ConfigMap, ConfigMap__Output as _shoal_v1_ConfigMap__Output } from './shoal/v1/ConfigMap.js';
import type { ConfigMapEnvSource as _shoal_v1_ConfigMapEnvSource, ConfigMapEnvSource__Output as _shoal_v1_ConfigMapEnvSource__Output } from './shoal/v1/ConfigMapEnvSource.js';
import type { ConfigMapKeySelector as _shoal_v1_ConfigMapKeySelector, ConfigMapKeySelector__Output as _shoal_v1_ConfigMapKeySelector__Output } from './shoal/v1/ConfigMapKeySelector.js';
import type { ConfigMapVolumeSource as _shoal_v1_ConfigMapVolumeSource, ConfigMapVolumeSource__Output as _shoal_v1_ConfigMapVolumeSource__Output } from './shoal/v1/ConfigMapVolumeSource.js';
import type { Container as _shoal_v1_Container, Container__Output as _shoal_v1_Container__Output } from './shoal/v1/Container.js';
import type { ContainerPort as _shoal_v1_ContainerPort, ContainerPort__Output as _shoal_v1_ContainerPort__Output } from './shoal/v1/ContainerPort.js';
import type { ContainerState as _shoal_v1_ContainerState, ContainerState__Output as _shoal_v1_ContainerState__Output } from './shoal/v1/ContainerState.js';
import type { ContainerStateRunning as _shoal_v1_ContainerStateRunning, ContainerStateRunning__Output as _shoal_v1_ContainerStateRunning__Output } from './shoal/v1/ContainerStateRunning.js';
import type { ContainerStateTerminated as _shoal_v1_ContainerStateTerminated, ContainerStateTerminated__Output as _shoal_v1_ContainerStateTerminated__Output } from './shoal/v1/ContainerStateTerminated.js';
import type { ContainerStateWaiting as _shoal_v1_ContainerStateWaiting, ContainerStateWaiting__Output as _shoal_v1_ContainerStateWaiting__Output } from './shoal/v1/ContainerStateWaiting.js';
import type { ContainerStatus as _shoal_v1_ContainerStatus, ContainerStatus__Output as _shoal_v1_ContainerStatus__Output } from './shoal/v1/ContainerStatus.js';
import type { CreateRequest as _shoal_v1_CreateRequest, CreateRequest__Output as _shoal_v1_CreateRequest__Output } from './shoal/v1/CreateRequest.js';
import type { CronJob as _shoal_v1_CronJob, CronJob__Output as _shoal_v1_CronJob__Output } from './shoal/v1/CronJob.js';
import type { CronJobSpec as _shoal_v1_CronJobSpec, CronJobSpec__Output as _shoal_v1_CronJobSpec__Output } from './shoal/v1/CronJobSpec.js';
import type { CronJobStatus as _shoal_v1_CronJobStatus, CronJobStatus__Output as _shoal_v1_CronJobStatus__Output } from './shoal/v1/CronJobStatus.js';
import type { DaemonEndpoint as _shoal_v1_DaemonEndpoint, DaemonEndpoint__Output as _shoal_v1_DaemonEndpoint__Output } from './shoal/v1/DaemonEndpoint.js';
import type { DeleteRequest as _shoal_v1_DeleteRequest, DeleteRequest__Output as _shoal_v1_DeleteRequest__Output } from './shoal/v1/DeleteRequest.js';
import type { DeleteResponse as _shoal_v1_DeleteResponse, DeleteResponse__Output as _shoal_v1_DeleteResponse__Output } from './shoal/v1/DeleteResponse.js';
import type { Deployment as _shoal_v1_Deployment, Deployment__Output as _shoal_v1_Deployment__Output } from './shoal/v1/Deployment.js';
import type { DeploymentSpec as _shoal_v1_DeploymentSpec, DeploymentSpec__Output as _shoal_v1_DeploymentSpec__Output } from './shoal/v1/DeploymentSpec.js';
import type { DeploymentStatus as _shoal_v1_DeploymentStatus, DeploymentStatus__Output as _shoal_v1_DeploymentStatus__Output } from './shoal/v1/DeploymentStatus.js';
import type { DeploymentStrategy as _shoal_v1_DeploymentStrategy, DeploymentStrategy__Output as _shoal_v1_DeploymentStrategy__Output } from './shoal/v1/DeploymentStrategy.js';
import type { EmptyDirVolumeSource as _shoal_v1_EmptyDirVolumeSource, EmptyDirVolumeSource__Output as _shoal_v1_EmptyDirVolumeSource__Output } from './shoal/v1/EmptyDirVolumeSource.js';
import type { EndpointAddress as _shoal_v1_EndpointAddress, EndpointAddress__Output as _shoal_v1_EndpointAddress__Output } from './shoal/v1/EndpointAddress.js';
import type { EndpointPort as _shoal_v1_EndpointPort, EndpointPort__Output as _shoal_v1_EndpointPort__Output } from './shoal/v1/EndpointPort.js';
import type { EndpointSubset as _shoal_v1_EndpointSubset, EndpointSubset__Output as _shoal_v1_EndpointSubset__Output } from './shoal/v1/EndpointSubset.js';
import type { Endpoints as _shoal_v1_Endpoints, Endpoints__Output as _shoal_v1_Endpoints__Output } from './shoal/v1/Endpoints.js';
import type { EnvFromSource as _shoal_v1_EnvFromSource, EnvFromSource__Output as _shoal_v1_EnvFromSource__Output } from './shoal/v1/EnvFromSource.js';
import type { EnvVar as _shoal_v1_EnvVar, EnvVar__Output as _shoal_v1_EnvVar__Output } from './shoal/v1/EnvVar.js';
import type { EnvVarSource as _shoal_v1_EnvVarSource, EnvVarSource__Output as _shoal_v1_EnvVarSource__Output } from './shoal/v1/EnvVarSource.js';
import type { Event as _shoal_v1_Event, Event__Output as _shoal_v1_Event__Output } from './shoal/v1/Event.js';
import type { EventSource as _shoal_v1_EventSource, EventSource__Output as _shoal_v1_EventSource__Output } from './shoal/v1/EventSource.js';
import type { ExecAction as _shoal_v1_ExecAction, ExecAction__Output as _shoal_v1_ExecAction__Output } from './shoal/v1/ExecAction.js';
import type { ExecInput as _shoal_v1_ExecInput, ExecInput__Output as _shoal_v1_ExecInput__Output } from './shoal/v1/ExecInput.js';
import type { ExecOutput as _shoal_v1_ExecOutput, ExecOutput__Output as _shoal_v1_ExecOutput__Output } from './shoal/v1/ExecOutput.js';
import type { ExecStart as _shoal_v1_ExecStart, ExecStart__Output as _shoal_v1_ExecStart__Output } from './shoal/v1/ExecStart.js';
import type { GetRequest as _shoal_v1_GetRequest, GetRequest__Output as _shoal_v1_GetRequest__Output } from './shoal/v1/GetRequest.js';
import type { HTTPGetAction as _shoal_v1_HTTPGetAction, HTTPGetAction__Output as _shoal_v1_HTTPGetAction__Output } from './shoal/v1/HTTPGetAction.js';
import type { HTTPHeader as _shoal_v1_HTTPHeader, HTTPHeader__Output as _shoal_v1_HTTPHeader__Output } from './shoal/v1/HTTPHeader.js';
import type { HostPathVolumeSource as _shoal_v1_HostPathVolumeSource, HostPathVolumeSource__Output as _shoal_v1_HostPathVolumeSource__Output } from './shoal/v1/HostPathVolumeSource.js';
import type { IntOrString as _shoal_v1_IntOrString, IntOrString__Output as _shoal_v1_IntOrString__Output } from './shoal/v1/IntOrString.js';
import type { Job as _shoal_v1_Job, Job__Output as _shoal_v1_Job__Output } from './shoal/v1/Job.js';
import type { JobSpec as _shoal_v1_JobSpec, JobSpec__Output as _shoal_v1_JobSpec__Output } from './shoal/v1/JobSpec.js';
import type { JobStatus as _shoal_v1_JobStatus, JobStatus__Output as _shoal_v1_JobStatus__Output } from './shoal/v1/JobStatus.js';
import type { JobTemplateSpec as _shoal_v1_JobTemplateSpec, JobTemplateSpec__Output as _shoal_v1_JobTemplateSpec__Output } from './shoal/v1/JobTemplateSpec.js';
import type { KeyToPath as _shoal_v1_KeyToPath, KeyToPath__Output as _shoal_v1_KeyToPath__Output } from './shoal/v1/KeyToPath.js';
import type { LabelSelector as _shoal_v1_LabelSelector, LabelSelector__Output as _shoal_v1_LabelSelector__Output } from './shoal/v1/LabelSelector.js';
import type { LabelSelectorRequirement as _shoal_v1_LabelSelectorRequirement, LabelSelectorRequirement__Output as _shoal_v1_LabelSelectorRequirement__Output } from './shoal/v1/LabelSelectorRequirement.js';
import type { Lease as _shoal_v1_Lease, Lease__Output as _shoal_v1_Lease__Output } from './shoal/v1/Lease.js';
import type { LeaseSpec as _shoal_v1_LeaseSpec, LeaseSpec__Output as _shoal_v1_LeaseSpec__Output } from './shoal/v1/LeaseSpec.js';
import type { Lifecycle as _shoal_v1_Lifecycle, Lifecycle__Output as _shoal_v1_Lifecycle__Output } from './shoal/v1/Lifecycle.js';
import type { LifecycleHandler as _shoal_v1_LifecycleHandler, LifecycleHandler__Output as _shoal_v1_LifecycleHandler__Output } from './shoal/v1/LifecycleHandler.js';
import type { ListRequest as _shoal_v1_ListRequest, ListRequest__Output as _shoal_v1_ListRequest__Output } from './shoal/v1/ListRequest.js';
import type { ListResponse as _shoal_v1_ListResponse, ListResponse__Output as _shoal_v1_ListResponse__Output } from './shoal/v1/ListResponse.js';
import type { LoadBalancerIngress as _shoal_v1_LoadBalancerIngress, LoadBalancerIngress__Output as _shoal_v1_LoadBalancerIngress__Output } from './shoal/v1/LoadBalancerIngress.js';
import type { LoadBalancerStatus as _shoal_v1_LoadBalancerStatus, LoadBalancerStatus__Output as _shoal_v1_LoadBalancerStatus__Output } from './shoal/v1/LoadBalancerStatus.js';
import type { LocalObjectReference as _shoal_v1_LocalObjectReference, LocalObjectReference__Output as _shoal_v1_LocalObjectReference__Output } from './shoal/v1/LocalObjectReference.js';
import type { LogChunk as _shoal_v1_LogChunk, LogChunk__Output as _shoal_v1_LogChunk__Output } from './shoal/v1/LogChunk.js';
import type { LogsRequest as _shoal_v1_LogsRequest, LogsRequest__Output as _shoal_v1_LogsRequest__Output } from './shoal/v1/LogsRequest.js';
import type { Namespace as _shoal_v1_Namespace, Namespace__Output as _shoal_v1_Namespace__Output } from './shoal/v1/Namespace.js';
import type { NamespaceSpec as _shoal_v1_NamespaceSpec, NamespaceSpec__Output as _shoal_v1_NamespaceSpec__Output } from './shoal/v1/NamespaceSpec.js';
import type { NamespaceStatus as _shoal_v1_NamespaceStatus, NamespaceStatus__Output as _shoal_v1_NamespaceStatus__Output } from './shoal/v1/NamespaceStatus.js';
import type { Node as _shoal_v1_Node, Node__Output as _shoal_v1_Node__Output } from './shoal/v1/Node.js';
import type { NodeAddress as _shoal_v1_NodeAddress, NodeAddress__Output as _shoal_v1_NodeAddress__Output } from './shoal/v1/NodeAddress.js';
import type { NodeAffinity as _shoal_v1_NodeAffinity, NodeAffinity__Output as _shoal_v1_NodeAffinity__Output } from './shoal/v1/NodeAffinity.js';
import type { NodeAgentClient as _shoal_v1_NodeAgentClient, NodeAgentDefinition as _shoal_v1_NodeAgentDefinition } from './shoal/v1/NodeAgent.js';
import type { NodeDaemonEndpoints as _shoal_v1_NodeDaemonEndpoints, NodeDaemonEndpoints__Output as _shoal_v1_NodeDaemonEndpoints__Output } from './shoal/v1/NodeDaemonEndpoints.js';
import type { NodeSelector as _shoal_v1_NodeSelector, NodeSelector__Output as _shoal_v1_NodeSelector__Output } from './shoal/v1/NodeSelector.js';
import type { NodeSelectorRequirement as _shoal_v1_NodeSelectorRequirement, NodeSelectorRequirement__Output as _shoal_v1_NodeSelectorRequirement__Output } from './shoal/v1/NodeSelectorRequirement.js';
import type { NodeSelectorTerm as _shoal_v1_NodeSelectorTerm, NodeSelectorTerm__Output as _shoal_v1_NodeSelectorTerm__Output } from './shoal/v1/NodeSelectorTerm.js';
import type { NodeSpec as _shoal_v1_NodeSpec, NodeSpec__Output as _shoal_v1_NodeSpec__Output } from './shoal/v1/NodeSpec.js';
import type { NodeStatus as _shoal_v1_NodeStatus, NodeStatus__Output as _shoal_v1_NodeStatus__Output } from './shoal/v1/NodeStatus.js';
import type { NodeSystemInfo as _shoal_v1_NodeSystemInfo, NodeSystemInfo__Output as _shoal_v1_NodeSystemInfo__Output } from './shoal/v1/NodeSystemInfo.js';
import type { Object as _shoal_v1_Object, Object__Output as _shoal_v1_Object__Output } from './shoal/v1/Object.js';
import type { ObjectFieldSelector as _shoal_v1_ObjectFieldSelector, ObjectFieldSelector__Output as _shoal_v1_ObjectFieldSelector__Output } from './shoal/v1/ObjectFieldSelector.js';
import type { ObjectMeta as _shoal_v1_ObjectMeta, ObjectMeta__Output as _shoal_v1_ObjectMeta__Output } from './shoal/v1/ObjectMeta.js';
import type { ObjectReference as _shoal_v1_ObjectReference, ObjectReference__Output as _shoal_v1_ObjectReference__Output } from './shoal/v1/ObjectReference.js';
import type { OwnerReference as _shoal_v1_OwnerReference, OwnerReference__Output as _shoal_v1_OwnerReference__Output } from './shoal/v1/OwnerReference.js';
import type { PersistentVolumeClaim as _shoal_v1_PersistentVolumeClaim, PersistentVolumeClaim__Output as _shoal_v1_PersistentVolumeClaim__Output } from './shoal/v1/PersistentVolumeClaim.js';
import type { PersistentVolumeClaimSpec as _shoal_v1_PersistentVolumeClaimSpec, PersistentVolumeClaimSpec__Output as _shoal_v1_PersistentVolumeClaimSpec__Output } from './shoal/v1/PersistentVolumeClaimSpec.js';
import type { PersistentVolumeClaimStatus as _shoal_v1_PersistentVolumeClaimStatus, PersistentVolumeClaimStatus__Output as _shoal_v1_PersistentVolumeClaimStatus__Output } from './shoal/v1/PersistentVolumeClaimStatus.js';
import type { PersistentVolumeClaimVolumeSource as _shoal_v1_PersistentVolumeClaimVolumeSource, PersistentVolumeClaimVolumeSource__Output as _shoal_v1_PersistentVolumeClaimVolumeSource__Output } from './shoal/v1/PersistentVolumeClaimVolumeSource.js';
import type { Pod as _shoal_v1_Pod, Pod__Output as _shoal_v1_Pod__Output } from './shoal/v1/Pod.js';
import type { PodAffinity as _shoal_v1_PodAffinity, PodAffinity__Output as _shoal_v1_PodAffinity__Output } from './shoal/v1/PodAffinity.js';
import type { PodAffinityTerm as _shoal_v1_PodAffinityTerm, PodAffinityTerm__Output as _shoal_v1_PodAffinityTerm__Output } from './shoal/v1/PodAffinityTerm.js';
import type { PodAntiAffinity as _shoal_v1_PodAntiAffinity, PodAntiAffinity__Output as _shoal_v1_PodAntiAffinity__Output } from './shoal/v1/PodAntiAffinity.js';
import type { PodIP as _shoal_v1_PodIP, PodIP__Output as _shoal_v1_PodIP__Output } from './shoal/v1/PodIP.js';
import type { PodSpec as _shoal_v1_PodSpec, PodSpec__Output as _shoal_v1_PodSpec__Output } from './shoal/v1/PodSpec.js';
import type { PodStatus as _shoal_v1_PodStatus, PodStatus__Output as _shoal_v1_PodStatus__Output } from './shoal/v1/PodStatus.js';
import type { PodTemplateSpec as _shoal_v1_PodTemplateSpec, PodTemplateSpec__Output as _shoal_v1_PodTemplateSpec__Output } from './shoal/v1/PodTemplateSpec.js';
import type { PortStatus as _shoal_v1_PortStatus, PortStatus__Output as _shoal_v1_PortStatus__Output } from './shoal/v1/PortStatus.js';
import type { PreferredSchedulingTerm as _shoal_v1_PreferredSchedulingTerm, PreferredSchedulingTerm__Output as _shoal_v1_PreferredSchedulingTerm__Output } from './shoal/v1/PreferredSchedulingTerm.js';
import type { Probe as _shoal_v1_Probe, Probe__Output as _shoal_v1_Probe__Output } from './shoal/v1/Probe.js';
import type { ReplicaSet as _shoal_v1_ReplicaSet, ReplicaSet__Output as _shoal_v1_ReplicaSet__Output } from './shoal/v1/ReplicaSet.js';
import type { ReplicaSetSpec as _shoal_v1_ReplicaSetSpec, ReplicaSetSpec__Output as _shoal_v1_ReplicaSetSpec__Output } from './shoal/v1/ReplicaSetSpec.js';
import type { ReplicaSetStatus as _shoal_v1_ReplicaSetStatus, ReplicaSetStatus__Output as _shoal_v1_ReplicaSetStatus__Output } from './shoal/v1/ReplicaSetStatus.js';
import type { ResourceFieldSelector as _shoal_v1_ResourceFieldSelector, ResourceFieldSelector__Output as _shoal_v1_ResourceFieldSelector__Output } from './shoal/v1/ResourceFieldSelector.js';
import type { ResourceRequirements as _shoal_v1_ResourceRequirements, ResourceRequirements__Output as _shoal_v1_ResourceRequirements__Output } from './shoal/v1/ResourceRequirements.js';
import type { ResourcesClient as _shoal_v1_ResourcesClient, ResourcesDefinition as _shoal_v1_ResourcesDefinition } from './shoal/v1/Resources.js';
import type { RollingUpdateDeployment as _shoal_v1_RollingUpdateDeployment, RollingUpdateDeployment__Output as _shoal_v1_RollingUpdateDeployment__Output } from './shoal/v1/RollingUpdateDeployment.js';
import type { Secret as _shoal_v1_Secret, Secret__Output as _shoal_v1_Secret__Output } from './shoal/v1/Secret.js';
import type { SecretEnvSource as _shoal_v1_SecretEnvSource, SecretEnvSource__Output as _shoal_v1_SecretEnvSource__Output } from './shoal/v1/SecretEnvSource.js';
import type { SecretKeySelector as _shoal_v1_SecretKeySelector, SecretKeySelector__Output as _shoal_v1_SecretKeySelector__Output } from './shoal/v1/SecretKeySelector.js';
import type { SecretVolumeSource as _shoal_v1_SecretVolumeSource, SecretVolumeSource__Output as _shoal_v1_SecretVolumeSource__Output } from './shoal/v1/SecretVolumeSource.js';
import type { Service as _shoal_v1_Service, Service__Output as _shoal_v1_Service__Output } from './shoal/v1/Service.js';
import type { ServicePort as _shoal_v1_ServicePort, ServicePort__Output as _shoal_v1_ServicePort__Output } from './shoal/v1/ServicePort.js';
import type { ServiceSpec as _shoal_v1_ServiceSpec, ServiceSpec__Output as _shoal_v1_ServiceSpec__Output } from './shoal/v1/ServiceSpec.js';
import type { ServiceStatus as _shoal_v1_ServiceStatus, ServiceStatus__Output as _shoal_v1_ServiceStatus__Output } from './shoal/v1/ServiceStatus.js';
import type { SessionAffinityConfig as _shoal_v1_SessionAffinityConfig, SessionAffinityConfig__Output as _shoal_v1_SessionAffinityConfig__Output } from './shoal/v1/SessionAffinityConfig.js';
import type { TCPSocketAction as _shoal_v1_TCPSocketAction, TCPSocketAction__Output as _shoal_v1_TCPSocketAction__Output } from './shoal/v1/TCPSocketAction.js';
import type { Taint as _shoal_v1_Taint, Taint__Output as _shoal_v1_Taint__Output } from './shoal/v1/Taint.js';
import type { Toleration as _shoal_v1_Toleration, Toleration__Output as _shoal_v1_Toleration__Output } from './shoal/v1/Toleration.js';
import type { UncountedTerminatedPods as _shoal_v1_UncountedTerminatedPods, UncountedTerminatedPods__Output as _shoal_v1_UncountedTerminatedPods__Output } from './shoal/v1/UncountedTerminatedPods.js';
import type { UpdateRequest as _shoal_v1_UpdateRequest, UpdateRequest__Output as _shoal_v1_UpdateRequest__Output } from './shoal/v1/UpdateRequest.js';
import type { VersionRequest as _shoal_v1_VersionRequest, VersionRequest__Output as _shoal_v1_VersionRequest__Output } from './shoal/v1/VersionRequest.js';
import type { VersionResponse as _shoal_v1_VersionResponse, VersionResponse__Output as _shoal_v1_VersionResponse__Output } from './shoal/v1/VersionResponse.js';
import type { Volume as _shoal_v1_Volume, Volume__Output as _shoal_v1_Volume__Output } from './shoal/v1/Volume.js';
import type { VolumeMount as _shoal_v1_VolumeMount, VolumeMount__Output as _shoal_v1_VolumeMount__Output } from './shoal/v1/VolumeMount.js';
import type { VolumeResourceRequirements as _shoal_v1_VolumeResourceRequirements, VolumeResourceRequirements__Output as _shoal_v1_VolumeResourceRequirements__Output } from './shoal/v1/VolumeResourceRequirements.js';
import type { WatchEvent as _shoal_v1_WatchEvent, WatchEvent__Output as _shoal_v1_WatchEvent__Output } from './shoal/v1/WatchEvent.js';
import type { WatchRequest as _shoal_v1_WatchRequest, WatchRequest__Output as _shoal_v1_WatchRequest__Output } from './shoal/v1/WatchRequest.js';
import type { WeightedPodAffinityTerm as _shoal_v1_WeightedPodAffinityTerm, WeightedPodAffinityTerm__Output as _shoal_v1_WeightedPodAffinityTerm__Output } from './shoal/v1/WeightedPodAffinityTerm.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  shoal: {
    v1: {
      Affinity: MessageTypeDefinition<_shoal_v1_Affinity, _shoal_v1_Affinity__Output>
      ApplyRequest: MessageTypeDefinition<_shoal_v1_ApplyRequest, _shoal_v1_ApplyRequest__Output>
      ApplyResponse: MessageTypeDefinition<_shoal_v1_ApplyResponse, _shoal_v1_ApplyResponse__Output>
      ApplyResult: MessageTypeDefinition<_shoal_v1_ApplyResult, _shoal_v1_ApplyResult__Output>
      ClientIPConfig: MessageTypeDefinition<_shoal_v1_ClientIPConfig, _shoal_v1_ClientIPConfig__Output>
      Condition: MessageTypeDefinition<_shoal_v1_Condition, _shoal_v1_Condition__Output>
      ConfigMap: MessageTypeDefinition<_shoal_v1_ConfigMap, _shoal_v1_ConfigMap__Output>
      ConfigMapEnvSource: MessageTypeDefinition<_shoal_v1_ConfigMapEnvSource, _shoal_v1_ConfigMapEnvSource__Output>
      ConfigMapKeySelector: MessageTypeDefinition<_shoal_v1_ConfigMapKeySelector, _shoal_v1_ConfigMapKeySelector__Output>
      ConfigMapVolumeSource: MessageTypeDefinition<_shoal_v1_ConfigMapVolumeSource, _shoal_v1_ConfigMapVolumeSource__Output>
      Container: MessageTypeDefinition<_shoal_v1_Container, _shoal_v1_Container__Output>
      ContainerPort: MessageTypeDefinition<_shoal_v1_ContainerPort, _shoal_v1_ContainerPort__Output>
      ContainerState: MessageTypeDefinition<_shoal_v1_ContainerState, _shoal_v1_ContainerState__Output>
      ContainerStateRunning: MessageTypeDefinition<_shoal_v1_ContainerStateRunning, _shoal_v1_ContainerStateRunning__Output>
      ContainerStateTerminated: MessageTypeDefinition<_shoal_v1_ContainerStateTerminated, _shoal_v1_ContainerStateTerminated__Output>
      ContainerStateWaiting: MessageTypeDefinition<_shoal_v1_ContainerStateWaiting, _shoal_v1_ContainerStateWaiting__Output>
      ContainerStatus: MessageTypeDefinition<_shoal_v1_ContainerStatus, _shoal_v1_ContainerStatus__Output>
      CreateRequest: MessageTypeDefinition<_shoal_v1_CreateRequest, _shoal_v1_CreateRequest__Output>
      CronJob: MessageTypeDefinition<_shoal_v1_CronJob, _shoal_v1_CronJob__Output>
      CronJobSpec: MessageTypeDefinition<_shoal_v1_CronJobSpec, _shoal_v1_CronJobSpec__Output>
      CronJobStatus: MessageTypeDefinition<_shoal_v1_CronJobStatus, _shoal_v1_CronJobStatus__Output>
      DaemonEndpoint: MessageTypeDefinition<_shoal_v1_DaemonEndpoint, _shoal_v1_DaemonEndpoint__Output>
      DeleteRequest: MessageTypeDefinition<_shoal_v1_DeleteRequest, _shoal_v1_DeleteRequest__Output>
      DeleteResponse: MessageTypeDefinition<_shoal_v1_DeleteResponse, _shoal_v1_DeleteResponse__Output>
      Deployment: MessageTypeDefinition<_shoal_v1_Deployment, _shoal_v1_Deployment__Output>
      DeploymentSpec: MessageTypeDefinition<_shoal_v1_DeploymentSpec, _shoal_v1_DeploymentSpec__Output>
      DeploymentStatus: MessageTypeDefinition<_shoal_v1_DeploymentStatus, _shoal_v1_DeploymentStatus__Output>
      DeploymentStrategy: MessageTypeDefinition<_shoal_v1_DeploymentStrategy, _shoal_v1_DeploymentStrategy__Output>
      EmptyDirVolumeSource: MessageTypeDefinition<_shoal_v1_EmptyDirVolumeSource, _shoal_v1_EmptyDirVolumeSource__Output>
      EndpointAddress: MessageTypeDefinition<_shoal_v1_EndpointAddress, _shoal_v1_EndpointAddress__Output>
      EndpointPort: MessageTypeDefinition<_shoal_v1_EndpointPort, _shoal_v1_EndpointPort__Output>
      EndpointSubset: MessageTypeDefinition<_shoal_v1_EndpointSubset, _shoal_v1_EndpointSubset__Output>
      Endpoints: MessageTypeDefinition<_shoal_v1_Endpoints, _shoal_v1_Endpoints__Output>
      EnvFromSource: MessageTypeDefinition<_shoal_v1_EnvFromSource, _shoal_v1_EnvFromSource__Output>
      EnvVar: MessageTypeDefinition<_shoal_v1_EnvVar, _shoal_v1_EnvVar__Output>
      EnvVarSource: MessageTypeDefinition<_shoal_v1_EnvVarSource, _shoal_v1_EnvVarSource__Output>
      Event: MessageTypeDefinition<_shoal_v1_Event, _shoal_v1_Event__Output>
      EventSource: MessageTypeDefinition<_shoal_v1_EventSource, _shoal_v1_EventSource__Output>
      ExecAction: MessageTypeDefinition<_shoal_v1_ExecAction, _shoal_v1_ExecAction__Output>
      ExecInput: MessageTypeDefinition<_shoal_v1_ExecInput, _shoal_v1_ExecInput__Output>
      ExecOutput: MessageTypeDefinition<_shoal_v1_ExecOutput, _shoal_v1_ExecOutput__Output>
      ExecStart: MessageTypeDefinition<_shoal_v1_ExecStart, _shoal_v1_ExecStart__Output>
      GetRequest: MessageTypeDefinition<_shoal_v1_GetRequest, _shoal_v1_GetRequest__Output>
      HTTPGetAction: MessageTypeDefinition<_shoal_v1_HTTPGetAction, _shoal_v1_HTTPGetAction__Output>
      HTTPHeader: MessageTypeDefinition<_shoal_v1_HTTPHeader, _shoal_v1_HTTPHeader__Output>
      HostPathVolumeSource: MessageTypeDefinition<_shoal_v1_HostPathVolumeSource, _shoal_v1_HostPathVolumeSource__Output>
      IntOrString: MessageTypeDefinition<_shoal_v1_IntOrString, _shoal_v1_IntOrString__Output>
      Job: MessageTypeDefinition<_shoal_v1_Job, _shoal_v1_Job__Output>
      JobSpec: MessageTypeDefinition<_shoal_v1_JobSpec, _shoal_v1_JobSpec__Output>
      JobStatus: MessageTypeDefinition<_shoal_v1_JobStatus, _shoal_v1_JobStatus__Output>
      JobTemplateSpec: MessageTypeDefinition<_shoal_v1_JobTemplateSpec, _shoal_v1_JobTemplateSpec__Output>
      KeyToPath: MessageTypeDefinition<_shoal_v1_KeyToPath, _shoal_v1_KeyToPath__Output>
      LabelSelector: MessageTypeDefinition<_shoal_v1_LabelSelector, _shoal_v1_LabelSelector__Output>
      LabelSelectorRequirement: MessageTypeDefinition<_shoal_v1_LabelSelectorRequirement, _shoal_v1_LabelSelectorRequirement__Output>
      Lease: MessageTypeDefinition<_shoal_v1_Lease, _shoal_v1_Lease__Output>
      LeaseSpec: MessageTypeDefinition<_shoal_v1_LeaseSpec, _shoal_v1_LeaseSpec__Output>
      Lifecycle: MessageTypeDefinition<_shoal_v1_Lifecycle, _shoal_v1_Lifecycle__Output>
      LifecycleHandler: MessageTypeDefinition<_shoal_v1_LifecycleHandler, _shoal_v1_LifecycleHandler__Output>
      ListRequest: MessageTypeDefinition<_shoal_v1_ListRequest, _shoal_v1_ListRequest__Output>
      ListResponse: MessageTypeDefinition<_shoal_v1_ListResponse, _shoal_v1_ListResponse__Output>
      LoadBalancerIngress: MessageTypeDefinition<_shoal_v1_LoadBalancerIngress, _shoal_v1_LoadBalancerIngress__Output>
      LoadBalancerStatus: MessageTypeDefinition<_shoal_v1_LoadBalancerStatus, _shoal_v1_LoadBalancerStatus__Output>
      LocalObjectReference: MessageTypeDefinition<_shoal_v1_LocalObjectReference, _shoal_v1_LocalObjectReference__Output>
      LogChunk: MessageTypeDefinition<_shoal_v1_LogChunk, _shoal_v1_LogChunk__Output>
      LogsRequest: MessageTypeDefinition<_shoal_v1_LogsRequest, _shoal_v1_LogsRequest__Output>
      Namespace: MessageTypeDefinition<_shoal_v1_Namespace, _shoal_v1_Namespace__Output>
      NamespaceSpec: MessageTypeDefinition<_shoal_v1_NamespaceSpec, _shoal_v1_NamespaceSpec__Output>
      NamespaceStatus: MessageTypeDefinition<_shoal_v1_NamespaceStatus, _shoal_v1_NamespaceStatus__Output>
      Node: MessageTypeDefinition<_shoal_v1_Node, _shoal_v1_Node__Output>
      NodeAddress: MessageTypeDefinition<_shoal_v1_NodeAddress, _shoal_v1_NodeAddress__Output>
      NodeAffinity: MessageTypeDefinition<_shoal_v1_NodeAffinity, _shoal_v1_NodeAffinity__Output>
      /**
       * Served by every node agent; the API server is its only client.
       */
      NodeAgent: SubtypeConstructor<typeof grpc.Client, _shoal_v1_NodeAgentClient> & { service: _shoal_v1_NodeAgentDefinition }
      NodeDaemonEndpoints: MessageTypeDefinition<_shoal_v1_NodeDaemonEndpoints, _shoal_v1_NodeDaemonEndpoints__Output>
      NodeSelector: MessageTypeDefinition<_shoal_v1_NodeSelector, _shoal_v1_NodeSelector__Output>
      NodeSelectorRequirement: MessageTypeDefinition<_shoal_v1_NodeSelectorRequirement, _shoal_v1_NodeSelectorRequirement__Output>
      NodeSelectorTerm: MessageTypeDefinition<_shoal_v1_NodeSelectorTerm, _shoal_v1_NodeSelectorTerm__Output>
      NodeSpec: MessageTypeDefinition<_shoal_v1_NodeSpec, _shoal_v1_NodeSpec__Output>
      NodeStatus: MessageTypeDefinition<_shoal_v1_NodeStatus, _shoal_v1_NodeStatus__Output>
      NodeSystemInfo: MessageTypeDefinition<_shoal_v1_NodeSystemInfo, _shoal_v1_NodeSystemInfo__Output>
      Object: MessageTypeDefinition<_shoal_v1_Object, _shoal_v1_Object__Output>
      ObjectFieldSelector: MessageTypeDefinition<_shoal_v1_ObjectFieldSelector, _shoal_v1_ObjectFieldSelector__Output>
      ObjectMeta: MessageTypeDefinition<_shoal_v1_ObjectMeta, _shoal_v1_ObjectMeta__Output>
      ObjectReference: MessageTypeDefinition<_shoal_v1_ObjectReference, _shoal_v1_ObjectReference__Output>
      OwnerReference: MessageTypeDefinition<_shoal_v1_OwnerReference, _shoal_v1_OwnerReference__Output>
      PersistentVolumeClaim: MessageTypeDefinition<_shoal_v1_PersistentVolumeClaim, _shoal_v1_PersistentVolumeClaim__Output>
      PersistentVolumeClaimSpec: MessageTypeDefinition<_shoal_v1_PersistentVolumeClaimSpec, _shoal_v1_PersistentVolumeClaimSpec__Output>
      PersistentVolumeClaimStatus: MessageTypeDefinition<_shoal_v1_PersistentVolumeClaimStatus, _shoal_v1_PersistentVolumeClaimStatus__Output>
      PersistentVolumeClaimVolumeSource: MessageTypeDefinition<_shoal_v1_PersistentVolumeClaimVolumeSource, _shoal_v1_PersistentVolumeClaimVolumeSource__Output>
      Pod: MessageTypeDefinition<_shoal_v1_Pod, _shoal_v1_Pod__Output>
      PodAffinity: MessageTypeDefinition<_shoal_v1_PodAffinity, _shoal_v1_PodAffinity__Output>
      PodAffinityTerm: MessageTypeDefinition<_shoal_v1_PodAffinityTerm, _shoal_v1_PodAffinityTerm__Output>
      PodAntiAffinity: MessageTypeDefinition<_shoal_v1_PodAntiAffinity, _shoal_v1_PodAntiAffinity__Output>
      PodIP: MessageTypeDefinition<_shoal_v1_PodIP, _shoal_v1_PodIP__Output>
      PodSpec: MessageTypeDefinition<_shoal_v1_PodSpec, _shoal_v1_PodSpec__Output>
      PodStatus: MessageTypeDefinition<_shoal_v1_PodStatus, _shoal_v1_PodStatus__Output>
      PodTemplateSpec: MessageTypeDefinition<_shoal_v1_PodTemplateSpec, _shoal_v1_PodTemplateSpec__Output>
      PortStatus: MessageTypeDefinition<_shoal_v1_PortStatus, _shoal_v1_PortStatus__Output>
      PreferredSchedulingTerm: MessageTypeDefinition<_shoal_v1_PreferredSchedulingTerm, _shoal_v1_PreferredSchedulingTerm__Output>
      Probe: MessageTypeDefinition<_shoal_v1_Probe, _shoal_v1_Probe__Output>
      PropagationPolicy: EnumTypeDefinition
      ReplicaSet: MessageTypeDefinition<_shoal_v1_ReplicaSet, _shoal_v1_ReplicaSet__Output>
      ReplicaSetSpec: MessageTypeDefinition<_shoal_v1_ReplicaSetSpec, _shoal_v1_ReplicaSetSpec__Output>
      ReplicaSetStatus: MessageTypeDefinition<_shoal_v1_ReplicaSetStatus, _shoal_v1_ReplicaSetStatus__Output>
      ResourceFieldSelector: MessageTypeDefinition<_shoal_v1_ResourceFieldSelector, _shoal_v1_ResourceFieldSelector__Output>
      ResourceRequirements: MessageTypeDefinition<_shoal_v1_ResourceRequirements, _shoal_v1_ResourceRequirements__Output>
      Resources: SubtypeConstructor<typeof grpc.Client, _shoal_v1_ResourcesClient> & { service: _shoal_v1_ResourcesDefinition }
      RollingUpdateDeployment: MessageTypeDefinition<_shoal_v1_RollingUpdateDeployment, _shoal_v1_RollingUpdateDeployment__Output>
      Secret: MessageTypeDefinition<_shoal_v1_Secret, _shoal_v1_Secret__Output>
      SecretEnvSource: MessageTypeDefinition<_shoal_v1_SecretEnvSource, _shoal_v1_SecretEnvSource__Output>
      SecretKeySelector: MessageTypeDefinition<_shoal_v1_SecretKeySelector, _shoal_v1_SecretKeySelector__Output>
      SecretVolumeSource: MessageTypeDefinition<_shoal_v1_SecretVolumeSource, _shoal_v1_SecretVolumeSource__Output>
      Service: MessageTypeDefinition<_shoal_v1_Service, _shoal_v1_Service__Output>
      ServicePort: MessageTypeDefinition<_shoal_v1_ServicePort, _shoal_v1_ServicePort__Output>
      ServiceSpec: MessageTypeDefinition<_shoal_v1_ServiceSpec, _shoal_v1_ServiceSpec__Output>
      ServiceStatus: MessageTypeDefinition<_shoal_v1_ServiceStatus, _shoal_v1_ServiceStatus__Output>
      SessionAffinityConfig: MessageTypeDefinition<_shoal_v1_SessionAffinityConfig, _shoal_v1_SessionAffinityConfig__Output>
      TCPSocketAction: MessageTypeDefinition<_shoal_v1_TCPSocketAction, _shoal_v1_TCPSocketAction__Output>
      Taint: MessageTypeDefinition<_shoal_v1_Taint, _shoal_v1_Taint__Output>
      Toleration: MessageTypeDefinition<_shoal_v1_Toleration, _shoal_v1_Toleration__Output>
      UncountedTerminatedPods: MessageTypeDefinition<_shoal_v1_UncountedTerminatedPods, _shoal_v1_UncountedTerminatedPods__Output>
      UpdateRequest: MessageTypeDefinition<_shoal_v1_UpdateRequest, _shoal_v1_UpdateRequest__Output>
      VersionRequest: MessageTypeDefinition<_shoal_v1_VersionRequest, _shoal_v1_VersionRequest__Output>
      VersionResponse: MessageTypeDefinition<_shoal_v1_VersionResponse, _shoal_v1_VersionResponse__Output>
      Volume: MessageTypeDefinition<_shoal_v1_Volume, _shoal_v1_Volume__Output>
      VolumeMount: MessageTypeDefinition<_shoal_v1_VolumeMount, _shoal_v1_VolumeMount__Output>
      VolumeResourceRequirements: MessageTypeDefinition<_shoal_v1_VolumeResourceRequirements, _shoal_v1_VolumeResourceRequirements__Output>
      WatchEvent: MessageTypeDefinition<_shoal_v1_WatchEvent, _shoal_v1_WatchEvent__Output>
      WatchRequest: MessageTypeDefinition<_shoal_v1_WatchRequest, _shoal_v1_WatchRequest__Output>
      WeightedPodAffinityTerm: MessageTypeDefinition<_shoal_v1_WeightedPodAffinityTerm, _shoal_v1_WeightedPodAffinityTerm__Output>
    }
  }
}

