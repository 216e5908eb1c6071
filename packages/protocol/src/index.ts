export * from './errors';
export * from './limits';
export * from './schemas/applications';
export * from './schemas/auth';
export * from './schemas/common';
export * from './schemas/guilds';
export * from './schemas/users';
export * from './snowflake';
