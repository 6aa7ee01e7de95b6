// Original file: proto/shoal/v1/meta.proto


export interface ObjectReference {
  'apiVersion'?: (string);
  'kind'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'uid'?: (string);
  'resourceVersion'?: (string);
  'fieldPath'?: (string);
  '_apiVersion'?: "apiVersion";
  '_kind'?: "kind";
  '_namespace'?: "namespace";
  '_name'?: "name";
  '_uid'?: "uid";
  '_resourceVersion'?: "resourceVersion";
  '_fieldPath'?: "fieldPath";
}

export interface ObjectReference__Output {
  'apiVersion'?: (string);
  'kind'?: (string);
  'namespace'?: (string);
  'name'?: (string);
  'uid'?: (string);
  'resourceVersion'?: (string);
  'fieldPath'?: (string);
}
