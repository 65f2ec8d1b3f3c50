/** The lending adapter lives in ./lending/ (one module per transaction family); this keeps its old address. */
export { DynamoLendingRepository } from './lending/repository';
