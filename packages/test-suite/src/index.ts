export { describeBackendContract } from './describe-backend-contract.js';
export type { ContractCaseResult } from './run-backend-contract.js';
export { runBackendContract } from './run-backend-contract.js';
export type { BackendFactory, ContractConcern, ContractOptions, NamespaceCapability } from './options.js';
export { ALL_CONCERNS } from './options.js';
export type { ContractCase, ContractEnv } from './harness.js';
