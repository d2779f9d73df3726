import { Redis, type RedisOptions } from "ioredis";

/** A Redis connection as BullMQ needs it (maxRetriesPerRequest: null). */
export function createRedis(url: string, opts: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, lazyConnect: false, ...opts });
}
