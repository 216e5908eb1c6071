import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Another live process holds the directory. */
export class DataDirInUseError extends Error {}

interface Holder {
  pid: number;
  /** The holder's start time (/proc/<pid>/stat field 22): a recycled pid has another one. */
  started: string | null;
}

const LOCK_FILE = 'hearth.lock';

/** When the process `pid` started, in clock ticks since boot; null where /proc is not there. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(holder: Holder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const started = processStartTime(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

function readHolder(path: string): Holder | null {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    if (typeof parsed.pid !== 'number') return null;
    return { pid: parsed.pid, started: typeof parsed.started === 'string' ? parsed.started : null };
  } catch {
    return null;
  }
}

/**
 * Holds `dir` for this process's life (an embedded database must have one process): a lock file naming the pid and
 * its start time, created atomically (link fails when it exists). A lock whose process is gone — killed, or its pid
 * now another process's — is stale and taken over. Throws DataDirInUseError while a live process holds it.
 */
export function lockDataDir(dir: string, setting = 'DATA_DIR'): { release(): void } {
  const path = join(dir, LOCK_FILE);
  const mine: Holder = { pid: process.pid, started: processStartTime(process.pid) };
  const text = JSON.stringify(mine);
  const draft = `${path}.${process.pid}.tmp`;
  writeFileSync(draft, text);
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(draft, path);
        return {
          release() {
            // Only our own lock is removed (a lock taken over after we were presumed dead is not ours).
            try {
              if (readFileSync(path, 'utf8') === text) unlinkSync(path);
            } catch {}
          },
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = readHolder(path);
      if (holder && isAlive(holder)) {
        throw new DataDirInUseError(
          `${setting} ${dir} is in use by another Hearth process (pid ${holder.pid}); stop it first, or give this process its own ${setting}`,
        );
      }
      // Stale (or unreadable: a crash mid-write). It is moved aside atomically and looked at again: when another
      // process took it over in between, what was moved is that process's live lock and goes back.
      const aside = `${path}.${process.pid}.stale`;
      try {
        renameSync(path, aside);
        const moved = readHolder(aside);
        if (moved && isAlive(moved)) renameSync(aside, path);
        else unlinkSync(aside);
      } catch {}
    }
    throw new DataDirInUseError(
      `${setting} ${dir}: could not take its lock file ${path}; remove it if no Hearth runs`,
    );
  } finally {
    unlinkSync(draft);
  }
}
