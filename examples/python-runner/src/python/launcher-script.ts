/** Length of the header a launcher connection starts with: the request id, then the fd number. */
export const launcherHeaderLength = 16;

/**
 * The source of the launcher process (plain CommonJS, run with `node -e`, so it needs no build
 * step and no loader). It receives spawn requests over its IPC channel; for each it connects one
 * Unix socket per output fd to the server's socket (`argv[1]`), sends a header naming the
 * request and the fd, and hands the sockets to the child as its stdio, so the child writes
 * straight to the server. It reports `spawned` (with the pid), `error` and `exit` messages, and
 * exits when the server disconnects (children stay, as detached children of a killed server do,
 * unless `argv[2]` is `end-children`: then their process groups are killed first), removing the
 * socket's directory.
 */
export const launcherScript = String.raw`
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const socketPath = process.argv[1];
const headerLength = ${launcherHeaderLength};
const endChildren = process.argv[2] === 'end-children';
const children = new Set();

function send(message) {
  if (process.connected) process.send(message);
}

// The child is in a session of its own (detached), and Linux autogroup (when enabled) gives
// every session an equal share of the CPU whatever its processes' nice values: fifty busy
// scripts would then get fifty shares to the server's one. So the session's group is lowered
// too. Both only ever lower priority, which needs no privilege; failures leave the defaults.
// The launcher's own group is read once: undefined where the kernel has no autogroup. A
// process in the default group (one whose session began before autogroup, such as a service
// started by PID 1 without a session of its own) reads an empty file; it competes at its own
// task weight, so its group counts as nice 0.
const ownAutogroupNice = (() => {
  try {
    const match = /nice (-?\d+)/.exec(fs.readFileSync('/proc/self/autogroup', 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return undefined;
  }
})();

function lowerPriority(pid, nice) {
  try {
    os.setPriority(pid, Math.min(19, os.getPriority() + nice));
  } catch {}
  if (ownAutogroupNice === undefined) return;
  try {
    fs.writeFileSync('/proc/' + pid + '/autogroup', String(Math.min(19, ownAutogroupNice + nice)));
  } catch {}
}

function connect(id, fd) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(socketPath);
    socket.once('error', reject);
    socket.once('connect', () => {
      const header = String(id).padStart(headerLength - 1, '0') + String(fd);
      // The header reaches the socket before the child exists, so it always comes first.
      socket.write(header, (error) => (error ? reject(error) : resolve(socket)));
    });
  });
}

async function launch(request) {
  const fds = request.channel ? [1, 2, 3] : [1, 2];
  let sockets;
  try {
    sockets = await Promise.all(fds.map((fd) => connect(request.id, fd)));
  } catch (error) {
    send({ type: 'error', id: request.id, code: error.code, message: String(error.message) });
    return;
  }
  let reported = false;
  const fail = (error) => {
    if (reported) return;
    reported = true;
    send({ type: 'error', id: request.id, code: error.code, message: String(error.message) });
  };
  let child;
  try {
    child = spawn(request.command, request.args, {
      cwd: request.cwd,
      env: request.env,
      detached: true,
      shell: false,
      stdio: ['ignore', ...sockets],
    });
  } catch (error) {
    for (const socket of sockets) socket.destroy();
    fail(error);
    return;
  }
  if (request.nice > 0 && child.pid !== undefined) lowerPriority(child.pid, request.nice);
  // The child holds its own copies; the server sees the end once the child and its
  // descendants have closed theirs.
  for (const socket of sockets) socket.destroy();
  child.once('error', fail);
  child.once('spawn', () => {
    reported = true;
    send({ type: 'spawned', id: request.id, pid: child.pid });
  });
  if (child.pid !== undefined) children.add(child.pid);
  child.once('exit', (code, signal) => {
    children.delete(child.pid);
    send({ type: 'exit', id: request.id, code, signal });
  });
}

process.on('message', (request) => {
  launch(request).catch((error) =>
    send({ type: 'error', id: request.id, code: error.code, message: String(error.message) }),
  );
});
// The server is gone (or closed the launcher): remove its socket directory, even after a kill -9.
process.on('disconnect', () => {
  if (endChildren) {
    for (const pid of children) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
    }
  }
  require('node:fs').rmSync(require('node:path').dirname(socketPath), { recursive: true, force: true });
  process.exit(0);
});
`;
