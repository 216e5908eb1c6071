import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from '@fedify/fedify';
import { sql } from 'drizzle-orm';
import type { Db } from '../store/db';

function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}

const encode = (key: KvKey) => JSON.stringify(key);
const expiry = (options?: KvStoreSetOptions) =>
  options?.ttl
    ? sql`now() + ${Math.round(options.ttl.total('millisecond'))}::bigint * interval '1 millisecond'`
    : sql`null`;

/**
 * Fedify's key–value store on Hearth's database (`fedify_kv`, ADR 0040): one statement per call, identical on PGlite
 * and PostgreSQL. An entry past its `expires_at` reads as absent; `sweep` deletes such entries.
 */
export class DatabaseKvStore implements KvStore {
  constructor(private readonly db: Db) {}

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const [row] = rowsOf<{ value: T }>(
      await this.db.execute(
        sql`select value from fedify_kv where key = ${encode(key)} and (expires_at is null or expires_at > now())`,
      ),
    );
    return row?.value;
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    await this.db.execute(sql`
      insert into fedify_kv (key, value, expires_at) values (${encode(key)}, ${JSON.stringify(value ?? null)}::jsonb, ${expiry(options)})
      on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at`);
  }

  async delete(key: KvKey): Promise<void> {
    await this.db.execute(sql`delete from fedify_kv where key = ${encode(key)}`);
  }

  async cas(key: KvKey, expected: unknown, next: unknown, options?: KvStoreSetOptions): Promise<boolean> {
    const k = encode(key);
    const value = JSON.stringify(next ?? null);
    if (expected === undefined) {
      const rows = rowsOf(
        await this.db.execute(sql`
          insert into fedify_kv (key, value, expires_at) values (${k}, ${value}::jsonb, ${expiry(options)})
          on conflict (key) do update set value = excluded.value, expires_at = excluded.expires_at
          where fedify_kv.expires_at is not null and fedify_kv.expires_at <= now()
          returning key`),
      );
      return rows.length > 0;
    }
    const rows = rowsOf(
      await this.db.execute(sql`
        update fedify_kv set value = ${value}::jsonb, expires_at = ${expiry(options)}
        where key = ${k} and value = ${JSON.stringify(expected)}::jsonb and (expires_at is null or expires_at > now())
        returning key`),
    );
    return rows.length > 0;
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    // A key's JSON starts with its prefix's JSON less the closing bracket, followed by a comma (or is it exactly).
    const p = prefix ? encode(prefix) : null;
    const like = p ? `${p.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)},%` : '%';
    const rows = rowsOf<{ key: string; value: unknown }>(
      await this.db.execute(sql`
        select key, value from fedify_kv
        where (key like ${like} or key = ${p ?? ''}) and (expires_at is null or expires_at > now())
        order by key`),
    );
    for (const r of rows) yield { key: JSON.parse(r.key) as KvKey, value: r.value };
  }

  /** Deletes expired entries; answers how many. */
  async sweep(): Promise<number> {
    return rowsOf(await this.db.execute(sql`delete from fedify_kv where expires_at <= now() returning key`))
      .length;
  }
}
