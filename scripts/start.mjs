#!/usr/bin/env node
// `npm start`: builds the web app when its sources changed, then runs Hearth in this same process (started as
// `node --import tsx scripts/start.mjs`), with no shell or wrapper between: signals sent to the process npm starts
// (Docker, systemd, kill) reach Hearth itself, which answers what is in flight and exits.
import { buildWeb } from './build-web.mjs';

await buildWeb({ inChild: true });
await import('../apps/server/src/main.ts');
