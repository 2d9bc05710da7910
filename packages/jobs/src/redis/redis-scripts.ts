import { createHash } from 'node:crypto';
import { luaPrelude } from './lua-prelude';
import { appendOutputScript } from './commands/append-output';
import { createScript } from './commands/create-job';
import { getCursorScript } from './commands/get-cursor';
import { getScript } from './commands/get-job';
import { heartbeatScript } from './commands/heartbeat';
import { listScript } from './commands/list-jobs';
import { pruneScript } from './commands/prune-batch';
import { readOutputScript } from './commands/read-output';
import { reapScript } from './commands/reap-expired';
import { requestCancelScript } from './commands/request-cancel';
import { timeScript } from './commands/server-time';
import { setCursorScript } from './commands/set-cursor';
import { transitionScript } from './commands/transition';

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
