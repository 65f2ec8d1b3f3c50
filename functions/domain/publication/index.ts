export { bytesByteSource, type ByteSink, type ByteSource } from './byte-source';
export { inspectPublication, type InspectOptions } from './inspect';
export { defaultInspectionLimits, maxInflatedTotal, type InspectionLimits } from './limits';
export type { Inspection, PublicationCover, PublicationMetadata } from './types';
