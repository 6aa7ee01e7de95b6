// Original file: proto/shoal/v1/meta.proto


/**
 * A value that is either an integer or a string (a named port, or a percentage such as
 * "25%"). In YAML it is written as a plain number or string; the manifest codec maps it.
 */
export interface IntOrString {
  'intVal'?: (number);
  'strVal'?: (string);
  'value'?: "intVal"|"strVal";
}

/**
 * A value that is either an integer or a string (a named port, or a percentage such as
 * "25%"). In YAML it is written as a plain number or string; the manifest codec maps it.
 */
export interface IntOrString__Output {
  'intVal'?: (number);
  'strVal'?: (string);
}
