export * from './applications';
export * from './channels';
export * from './guilds';
export * from './media';
export * from './messages';
export * from './social';
export * from './users';
export * from './webhooks';
