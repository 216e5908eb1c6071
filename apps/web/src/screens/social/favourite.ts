// Favouriting a status from a card: shown at once, then as the server answered (or undone when it refused). A
// group post's favourite is a reaction on its starter message on the server (ADR 0031); the card need not know.
import type { Status } from '../../endpoints';
import * as endpoints from '../../endpoints';
import type { useAction } from '../../ui';

/** Toggles `s`'s favourite through `action` (its busy flag and error), reporting each state to `onChange`. */
export function toggleFavourite(
  action: ReturnType<typeof useAction>,
  s: Status,
  onChange: (s: Status) => void,
) {
  return action.run(async () => {
    const on = !s.favourited;
    onChange({ ...s, favourited: on, favourites_count: s.favourites_count + (on ? 1 : -1) });
    try {
      onChange(await endpoints.favourite(s.id, on));
    } catch (e) {
      onChange(s);
      throw e;
    }
  });
}
