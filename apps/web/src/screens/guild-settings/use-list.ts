// A tab's list, loaded when shown and reloaded after an action.
import { useCallback, useEffect, useState } from 'react';

/** Loads a list for a tab with `fetch` (from ../../endpoints) and reloads it after an action. */
export function useList<T>(fetch: () => Promise<T[]>, deps: unknown[]) {
  const [list, setList] = useState<T[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `deps` names what `fetch` reads
  const load = useCallback(() => fetch().then(setList, (err: Error) => setError(err.message)), deps);
  useEffect(() => {
    load();
  }, [load]);
  return { list, error, load };
}
