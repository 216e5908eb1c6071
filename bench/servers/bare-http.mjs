// The HTTP ceiling: a bare fastify app with Hearth's two hot routes answering canned bodies of the same shape
// and size, without authentication, validation or a database. Prints its port on stdout.
import Fastify from 'fastify';

const message = JSON.parse(process.env.BARE_MESSAGE ?? '{}');
const page = Array.from({ length: 50 }, () => message);
const app = Fastify({ logger: false });
app.post('/api/v10/channels/:channel_id/messages', async (req) => ({
  ...message,
  content: req.body?.content,
}));
app.get('/api/v10/channels/:channel_id/messages', async () => page);
app
  .listen({ host: '127.0.0.1', port: 0 })
  .then(() => console.log(JSON.stringify({ port: app.server.address().port })));
