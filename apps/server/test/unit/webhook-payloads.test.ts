import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Embed, ExecuteWebhook } from '@hearth/protocol';
import fc from 'fast-check';
import { Compile } from 'typebox/compile';
import { githubToExecute } from '../../src/domain/webhooks/github';
import { slackToExecute, slackToMarkdown } from '../../src/domain/webhooks/slack';

const validExecute = Compile(ExecuteWebhook);
const validEmbed = Compile(Embed);

describe('Slack payloads', () => {
  test('colours: names, hex, and nothing for anything else (even "constructor")', () => {
    const colourOf = (color: string) =>
      slackToExecute({ attachments: [{ color, text: 'x' }] }).embeds?.[0].color;
    assert.equal(colourOf('danger'), 0xa30200);
    assert.equal(colourOf('#36a64f'), 0x36a64f);
    assert.equal(colourOf('constructor'), undefined);
    assert.equal(colourOf('red'), undefined);
  });

  test("Slack's link and mention markup becomes Discord's markdown", () => {
    assert.equal(
      slackToMarkdown('see <https://a.example/x|the docs> or <https://b.example>'),
      'see [the docs](https://a.example/x) or https://b.example',
    );
    assert.equal(slackToMarkdown('<!here> &lt;b&gt; &amp; <!channel>'), '@here <b> & @everyone');
  });

  test('whatever a Slack payload holds, the execution fits Discord limits', () => {
    fc.assert(
      fc.property(
        fc.record({
          text: fc.option(fc.string({ maxLength: 5000 }), { nil: undefined }),
          username: fc.option(fc.string({ minLength: 1, maxLength: 256 }), { nil: undefined }),
          attachments: fc.option(
            fc.array(
              fc.record({
                title: fc.option(fc.string({ maxLength: 600 }), { nil: undefined }),
                text: fc.option(fc.string({ maxLength: 5000 }), { nil: undefined }),
                color: fc.option(fc.string(), { nil: undefined }),
                fields: fc.option(
                  fc.array(
                    fc.record({
                      title: fc.string({ maxLength: 400 }),
                      value: fc.string({ maxLength: 2000 }),
                    }),
                    {
                      maxLength: 25,
                    },
                  ),
                  { nil: undefined },
                ),
              }),
              { maxLength: 10 },
            ),
            { nil: undefined },
          ),
        }),
        (payload) => {
          const out = slackToExecute(payload);
          const { username: _u, ...rest } = out;
          assert.ok(validExecute.Check(rest), JSON.stringify([...validExecute.Errors(rest)][0]));
          for (const e of out.embeds ?? []) assert.ok(validEmbed.Check(e));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('GitHub payloads', () => {
  test('ping and unknown events post nothing; a push with no commits posts nothing', () => {
    assert.equal(githubToExecute('ping', { zen: 'x' }), null);
    assert.equal(githubToExecute('check_suite', {}), null);
    assert.equal(githubToExecute('push', { ref: 'refs/heads/x', commits: [] }), null);
  });

  test('a push of many commits lists five and counts the rest', () => {
    const commits = Array.from({ length: 8 }, (_, i) => ({
      id: `${i}`.repeat(40),
      message: `commit ${i}`,
      url: `https://x/${i}`,
      author: { username: 'dev' },
    }));
    const out = githubToExecute('push', {
      ref: 'refs/heads/main',
      repository: { full_name: 'o/r' },
      commits,
    });
    const embed = out!.embeds![0];
    assert.equal(embed.title, '[o/r:main] 8 new commits');
    assert.equal(embed.description!.split('\n').length, 6);
    assert.match(embed.description!, /… and 3 more$/);
  });

  test('payloads of any shape never throw and always fit the embed limits', () => {
    const events = [
      'push',
      'issues',
      'issue_comment',
      'pull_request',
      'pull_request_review',
      'create',
      'delete',
      'release',
      'fork',
      'watch',
      'star',
      'ping',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...events),
        fc.anything(),
        fc.string({ maxLength: 5000 }),
        (event, junk, long) => {
          for (const payload of [
            junk,
            {
              action: 'opened',
              repository: { full_name: long },
              issue: { title: long, body: long, number: 1 },
            },
            {
              action: 'closed',
              pull_request: { title: long, merged: true },
              repository: { full_name: long },
            },
            { ref: long, commits: [{ id: long, message: long, url: long, author: { name: long } }] },
          ]) {
            const out = githubToExecute(event, payload);
            for (const e of out?.embeds ?? [])
              assert.ok(validEmbed.Check(e), JSON.stringify([...validEmbed.Errors(e)][0]));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
