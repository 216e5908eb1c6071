// A node:test reporter for scripts/test.mjs: writes, when the run ends, one JSON object with each test file's time in
// seconds. A file run in its own process is timed by the runner from start to exit, module loading, hooks and start-up
// included; a file run in a group of files sharing one process (scripts/test.mjs wraps each in a suite named after
// it) by that suite, its hooks included and its module loading not; in the unit tier's one process a file's time is
// the sum of its top-level tests (hooks and imports there are not counted).
import { isAbsolute, relative, resolve } from 'node:path';

export default async function* timesReporter(source) {
  const cwd = process.cwd();
  /** file -> { seconds, passed } for files run in a process of their own. */
  const whole = new Map();
  /** file -> { seconds, passed } summed from top-level tests (the unit tier's shared process). */
  const summed = new Map();
  for await (const event of source) {
    if (event.type !== 'test:complete') continue;
    const { file, name, nesting, details } = event.data;
    if (!file || nesting !== 0) continue;
    const seconds = (details?.duration_ms ?? 0) / 1000;
    const passed = details?.passed !== false;
    const key = isAbsolute(file) ? relative(cwd, file) : file;
    // The runner's own test for a file it ran in a child process is named after the file.
    if (resolve(cwd, name) === resolve(cwd, file)) whole.set(key, { seconds, passed });
    // A file in a group sharing one process: the suite scripts/test.mjs wrapped it in is named after the file.
    else if (/\.test\.[cm]?[jt]s$/.test(name))
      whole.set(isAbsolute(name) ? relative(cwd, name) : name, { seconds, passed });
    else {
      const s = summed.get(key) ?? { seconds: 0, passed: true };
      summed.set(key, { seconds: s.seconds + seconds, passed: s.passed && passed });
    }
  }
  const files = {};
  for (const [file, t] of summed) files[file] = t;
  for (const [file, t] of whole) files[file] = t;
  yield `${JSON.stringify({ files })}\n`;
}
