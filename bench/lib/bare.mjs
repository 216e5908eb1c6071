import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Starts one of bench/servers/*.mjs and resolves to its base URL, pid and stop(). */
export function startBare(name, env = {}) {
  const child = spawn(process.execPath, [fileURLToPath(new URL(`../servers/${name}.mjs`, import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
    child.stdout.once('data', (chunk) => {
      const { port } = JSON.parse(chunk.toString());
      resolve({
        url: `http://127.0.0.1:${port}`,
        pid: child.pid,
        stop: () =>
          new Promise((r) => {
            child.once('exit', r);
            child.kill();
          }),
      });
    });
  });
}
