// Preloaded into a Hearth process by the lazy-loading test (`--import`): records the URL of every module the
// process resolves (ES imports and CommonJS requires alike, through Node's in-thread module hooks) and writes them,
// one per line, to the file named by HEARTH_RECORD_LOADS when the process exits.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const seen = new Set();
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    seen.add(resolved.url);
    return resolved;
  },
});
process.on('exit', () => writeFileSync(process.env.HEARTH_RECORD_LOADS, [...seen].join('\n')));
