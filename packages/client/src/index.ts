export {
  createOoClient,
  type GenerateBody,
  type OoClient,
  type OoClientOptions,
  POLICY_PATHS,
  type RequestOptions,
  type RewardBody,
  type ScoreBody,
  type ScoreBodyFor,
  type ScoreWithProfileBody,
} from './client.js';
export {
  OoApiError,
  OoClientError,
  OoInvalidArgumentError,
  OoInvalidResponseError,
  OoNetworkError,
  OoTimeoutError,
} from './errors.js';
export {
  createRegistryCache,
  createRegistryProxy,
  type RegistryCache,
  type RegistryCacheOptions,
  type RegistryProxyOptions,
} from './registry-proxy.js';
