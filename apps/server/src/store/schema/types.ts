import { customType, timestamp } from 'drizzle-orm/pg-core';

/** A snowflake id: bigint in the database, decimal string in the code (PGlite gives BigInt, pg gives string). */
export const snowflake = customType<{ data: string; driverData: string | bigint }>({
  dataType: () => 'bigint',
  fromDriver: (value) => String(value),
  toDriver: (value) => value,
});

/** A permission bit set: bigint in the database and in the code. */
export const permissionBits = customType<{ data: bigint; driverData: string | bigint }>({
  dataType: () => 'bigint',
  fromDriver: (value) => BigInt(value),
  toDriver: (value) => value.toString(),
});

export const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
