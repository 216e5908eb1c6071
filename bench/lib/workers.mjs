import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, postgresCpuSeconds, round } from './util.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

/** Runs one load job in a separate http-load process and resolves to its result. */
export function httpLoad(job) {
  return new Promise((resolve, reject) => {
    const child = fork(here('../workers/http-load.mjs'), [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (m) => (m.ok ? resolve(m.result) : reject(new Error(m.error))));
    child.once('exit', (code) => code && reject(new Error(`http-load exited with ${code}`)));
    child.send(job);
  });
}

/**
 * httpLoad, also counting the CPU Hearth (`hearthPid`, when it runs here) and PostgreSQL spent meanwhile, as
 * milliseconds per answered request: a figure that moves less than rates when the machine is shared.
 */
export async function httpLoadWithCpu(job, hearthPid) {
  const hearth0 = hearthPid ? cpuSeconds(hearthPid) : 0;
  const pg0 = postgresCpuSeconds();
  const result = await httpLoad(job);
  const per = (seconds) => (result.ok ? round((seconds * 1000) / result.ok, 3) : null);
  return {
    ...result,
    cpuMsPerRequest: {
      hearth: hearthPid ? per(cpuSeconds(hearthPid) - hearth0) : null,
      postgres: per(postgresCpuSeconds() - pg0),
    },
  };
}

/**
 * A gateway client process holding many sockets; `call(command, args)` sends it one command and resolves to
 * its answer (see bench/workers/gateway-clients.mjs).
 */
export function gatewayClients() {
  return commandProcess('../workers/gateway-clients.mjs');
}

/** Mastodon streaming clients in one process (see bench/workers/streaming-clients.mjs), driven as gatewayClients. */
export function streamingClients() {
  return commandProcess('../workers/streaming-clients.mjs');
}

/** A worker process driven by commands over IPC: `call(command, args)` resolves to its answer. */
function commandProcess(file) {
  const child = fork(here(file), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--max-old-space-size=4096'],
  });
  let next = 0;
  const waiting = new Map();
  child.on('message', (m) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (m.ok) w?.resolve(m.result);
    else w?.reject(new Error(m.error));
  });
  child.once('exit', (code) => {
    for (const w of waiting.values()) w.reject(new Error(`gateway client exited with ${code}`));
  });
  return {
    pid: child.pid,
    call(command, args = {}) {
      return new Promise((resolve, reject) => {
        const id = next++;
        waiting.set(id, { resolve, reject });
        child.send({ id, command, args });
      });
    },
    stop() {
      child.kill();
    },
  };
}
