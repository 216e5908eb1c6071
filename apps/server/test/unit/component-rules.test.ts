import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../src/domain/errors';
import { checkComponents } from '../../src/domain/messages/component-rules';

// Discord's message component rules (ADR 0039): what passes comes back with Discord's fields only; what breaks a rule
// is a 50035 naming the field.

const row = (...components: unknown[]) => ({ type: 1, components });
const button = (extra: Record<string, unknown> = {}) => ({
  type: 2,
  style: 1,
  label: 'Go',
  custom_id: 'go',
  ...extra,
});

/** The field paths a refused set of components names. */
function refused(components: unknown, place: 'message' | 'modal' = 'message'): string[] {
  try {
    checkComponents(components, place);
  } catch (err) {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 50035);
    const paths: string[] = [];
    const walk = (node: Record<string, unknown>, at: string[]) => {
      for (const [k, v] of Object.entries(node))
        if (k === '_errors') paths.push(at.join('.'));
        else walk(v as Record<string, unknown>, [...at, k]);
    };
    walk(err.errors as Record<string, unknown>, []);
    return paths;
  }
  assert.fail('accepted');
}

describe('message components', () => {
  test('every kind Discord has on messages passes, with its fields kept and unknown ones dropped', () => {
    const out = checkComponents(
      [
        row(
          button({ emoji: { name: '👍' }, disabled: true, extra: 'dropped' }),
          { type: 2, style: 5, label: 'Docs', url: 'https://example.com' },
          { type: 2, style: 6, sku_id: '123' },
        ),
        row({ type: 3, custom_id: 's', options: [{ label: 'A', value: 'a', default: true }], max_values: 1 }),
        row({ type: 5, custom_id: 'u', default_values: [{ id: '1', type: 'user' }] }),
        row({ type: 6, custom_id: 'r', min_values: 0, max_values: 3 }),
        row({ type: 8, custom_id: 'c', channel_types: [0, 2] }),
      ],
      'message',
    );
    assert.equal(out.length, 5);
    const first = out[0].components as Array<Record<string, unknown>>;
    assert.deepEqual(first[0], {
      type: 2,
      style: 1,
      custom_id: 'go',
      label: 'Go',
      emoji: { name: '👍' },
      disabled: true,
    });
    assert.equal(first[1].url, 'https://example.com');
    assert.equal(first[2].sku_id, '123');
    assert.deepEqual(checkComponents(null, 'message'), []);
  });

  test("Discord's limits, each a field error", () => {
    assert.deepEqual(refused(Array.from({ length: 6 }, () => row(button()))).length > 0, true);
    assert.ok(
      refused([row(...Array.from({ length: 6 }, (_, n) => button({ custom_id: `b${n}` })))]).includes(
        'components.0.components',
      ),
    );
    assert.ok(
      refused([row(button({ custom_id: 'x'.repeat(101) }))]).includes('components.0.components.0.custom_id'),
    );
    assert.ok(refused([row(button({ label: 'x'.repeat(81) }))]).includes('components.0.components.0.label'));
    assert.ok(refused([row(button({ style: 7 }))]).includes('components.0.components.0.style'));
    assert.ok(refused([row({ type: 2, style: 5, label: 'x' })]).includes('components.0.components.0.url'));
    assert.ok(
      refused([row({ type: 2, style: 5, label: 'x', url: 'ftp://x' })]).includes(
        'components.0.components.0.url',
      ),
    );
    assert.ok(
      refused([row({ type: 2, style: 6, sku_id: '1', label: 'x' })]).includes(
        'components.0.components.0.label',
      ),
    );
    assert.ok(refused([row(button({ label: undefined }))]).includes('components.0.components.0.label'));
    assert.ok(refused([row(button(), button())]).includes('components.0.components.1.custom_id'));
    assert.ok(
      refused([row(button(), { type: 3, custom_id: 's', options: [{ label: 'a', value: 'a' }] })]).includes(
        'components.0.components',
      ),
    );
    assert.ok(
      refused([row({ type: 3, custom_id: 's', options: [] })]).includes('components.0.components.0.options'),
    );
    const many = Array.from({ length: 26 }, (_, n) => ({ label: `o${n}`, value: `o${n}` }));
    assert.ok(
      refused([row({ type: 3, custom_id: 's', options: many })]).includes(
        'components.0.components.0.options',
      ),
    );
    assert.ok(
      refused([
        row({
          type: 3,
          custom_id: 's',
          options: [
            { label: 'a', value: 'a' },
            { label: 'b', value: 'a' },
          ],
        }),
      ]).includes('components.0.components.0.options.1.value'),
    );
    assert.ok(
      refused([row({ type: 6, custom_id: 'r', min_values: 3, max_values: 2 })]).includes(
        'components.0.components.0.min_values',
      ),
    );
    assert.ok(
      refused([row({ type: 4, style: 1, label: 'l', custom_id: 't' })]).includes(
        'components.0.components.0.type',
      ),
    );
    assert.ok(refused([button()]).includes('components.0.type'));
  });

  test('modals hold text inputs only, with their own limits', () => {
    const ok = checkComponents(
      [row({ type: 4, style: 2, label: 'Q', custom_id: 'q', min_length: 1, max_length: 10 })],
      'modal',
    );
    assert.equal((ok[0].components as Array<{ style: number }>)[0].style, 2);
    assert.ok(refused([row(button())], 'modal').includes('components.0.components.0.type'));
    assert.ok(
      refused([row({ type: 4, style: 1, label: 'x'.repeat(46), custom_id: 'q' })], 'modal').includes(
        'components.0.components.0.label',
      ),
    );
    assert.ok(
      refused(
        [row({ type: 4, style: 1, label: 'l', custom_id: 'q', min_length: 5, max_length: 2 })],
        'modal',
      ).includes('components.0.components.0.min_length'),
    );
    assert.ok(refused([], 'modal').includes('components'));
  });
});
