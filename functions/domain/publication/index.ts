export { bytesByteSource, type ByteSource } from './byte-source';
export { inspectPublication, type InspectOptions } from './inspect';
export { defaultInspectionLimits, type InspectionLimits } from './limits';
export type { Inspection, PublicationCover, PublicationMetadata } from './types';
