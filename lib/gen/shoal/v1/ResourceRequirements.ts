// Original file: proto/shoal/v1/core.proto


/**
 * Quantities are strings as users write them: "500m", "0.5", "128Mi", "1G".
 */
export interface ResourceRequirements {
  'limits'?: ({[key: string]: string});
  'requests'?: ({[key: string]: string});
}

/**
 * Quantities are strings as users write them: "500m", "0.5", "128Mi", "1G".
 */
export interface ResourceRequirements__Output {
  'limits'?: ({[key: string]: string});
  'requests'?: ({[key: string]: string});
}
