/**
 * Serves `commands` to the parent over IPC (the other end is `commandProcess` in workers.mjs): each message
 * `{id, command, args}` is answered `{id, ok, result | error}`; the process ends when the parent goes.
 */
export function serveCommands(commands) {
  process.on('message', async ({ id, command, args }) => {
    try {
      process.send({ id, ok: true, result: await commands[command](args) });
    } catch (err) {
      process.send({ id, ok: false, error: String(err?.stack ?? err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
}
