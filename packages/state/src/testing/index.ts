export { findFreePort } from './free-port.js';
export { type RedisServer, type RedisServerOptions, startRedisServer } from './redis-server.js';
