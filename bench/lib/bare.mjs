import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './hearth.mjs';

/** Starts one of bench/servers/*.mjs and resolves to its base URL, pid and stop(). */
export async function startBare(name, env = {}, { inspect = false } = {}) {
  const inspectPort = inspect ? await freePort() : null;
  const args = inspectPort ? [`--inspect=127.0.0.1:${inspectPort}`] : [];
  const child = spawn(
    process.execPath,
    [...args, fileURLToPath(new URL(`../servers/${name}.mjs`, import.meta.url))],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    child.stdout.on('data', (chunk) => {
      const line = chunk
        .toString()
        .split('\n')
        .find((l) => l.startsWith('{"port"'));
      if (!line) return;
      const { port } = JSON.parse(line);
      resolve({
        url: `http://127.0.0.1:${port}`,
        pid: child.pid,
        inspectPort,
        stop: () =>
          new Promise((r) => {
            child.once('exit', r);
            child.kill();
          }),
      });
    });
  });
}
