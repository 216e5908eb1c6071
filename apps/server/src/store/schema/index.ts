export * from './applications';
export * from './channels';
export * from './guilds';
export * from './jobs';
export * from './media';
export * from './messages';
export * from './users';
export * from './webhooks';
