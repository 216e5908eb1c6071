/**
 * How the suite's PostgreSQL databases are named: `<prefix>_…`. A CI run sets its own (HEARTH_TEST_DB_PREFIX) and
 * drops only those afterwards, never a concurrent run's.
 */
export const testDatabasePrefix = /^[a-z][a-z0-9_]{0,39}$/.test(process.env.HEARTH_TEST_DB_PREFIX ?? '')
  ? (process.env.HEARTH_TEST_DB_PREFIX as string)
  : 'hearth_test';

/** A PostgreSQL database name safe to put in SQL as is (lower-case letters, digits, underscores), else null. */
export const safeDatabaseName = (name: string | undefined): string | null =>
  name && /^[a-z][a-z0-9_]{0,62}$/.test(name) ? name : null;
