import { createHash } from 'node:crypto';
import { luaPrelude } from './lua-prelude';
import {
  appendOutputScript,
  getCursorScript,
  getScript,
  listScript,
  pruneScript,
  readOutputScript,
  setCursorScript,
  timeScript,
} from './lua-read-scripts';
import {
  createScript,
  heartbeatScript,
  reapScript,
  requestCancelScript,
  transitionScript,
} from './lua-write-scripts';

/** A Lua script of the store: its source (prelude included) and its SHA1 for `EVALSHA`. */
export interface RedisScript {
  source: string;
  sha: string;
}

function script(body: string): RedisScript {
  const source = luaPrelude + body;
  return { source, sha: createHash('sha1').update(source).digest('hex') };
}

/** Every script of the Redis store. */
export const redisScripts = {
  create: script(createScript),
  transition: script(transitionScript),
  heartbeat: script(heartbeatScript),
  requestCancel: script(requestCancelScript),
  reap: script(reapScript),
  get: script(getScript),
  time: script(timeScript),
  list: script(listScript),
  prune: script(pruneScript),
  appendOutput: script(appendOutputScript),
  readOutput: script(readOutputScript),
  getCursor: script(getCursorScript),
  setCursor: script(setCursorScript),
};
