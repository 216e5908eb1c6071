import fs from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/**
 * PGlite's own start parameters (0.5) without `-F` (fsync off), and with WAL flushed through fsync(): in PGlite's
 * WebAssembly build fdatasync() is a no-op, fsync() reaches the file system below.
 */
export const durableStartParams = [
  '--single',
  '-O',
  '-j',
  '-c',
  'search_path=public',
  '-c',
  'exit_on_error=false',
  '-c',
  'log_checkpoints=false',
  '-c',
  'max_worker_processes=0',
  '-c',
  'max_parallel_workers=0',
  '-c',
  'max_parallel_workers_per_gather=0',
  '-c',
  'io_method=sync',
  '-c',
  'max_parallel_maintenance_workers=0',
  '-c',
  'wal_sync_method=fsync',
  // PGlite's initdb writes PostgreSQL's default of 128 MB. Pages of the WebAssembly memory, once touched, stay in the
  // process's RSS for good (the memory never shrinks), so the buffer cache is kept small; files are read through the
  // operating system's page cache, which gives memory back (docs/performance.md, idle RSS).
  '-c',
  'shared_buffers=16MB',
];

interface NodeFsStream {
  nfd?: number;
}

/**
 * PGlite's Node file system with fsync() made real: Emscripten's NODEFS has no fsync, so PostgreSQL's commit flush
 * did nothing and a commit reached only the page cache. Here it is fs.fsyncSync on the real file, so a commit is on
 * disk before the query resolves (as with PostgreSQL's defaults).
 */
export class DurableNodeFS extends NodeFS {
  override async init(pg: PGlite, opts: Parameters<NodeFS['init']>[1]) {
    const result = await super.init(pg, opts);
    const preRun = result.emscriptenOpts.preRun ?? [];
    result.emscriptenOpts.preRun = [
      ...(Array.isArray(preRun) ? preRun : [preRun]),
      (mod: { NODEFS: { stream_ops: Record<string, unknown> } }) => {
        mod.NODEFS.stream_ops.fsync = (stream: NodeFsStream) => {
          if (stream.nfd !== undefined) fs.fsyncSync(stream.nfd);
          return 0;
        };
      },
    ];
    return result;
  }
}
