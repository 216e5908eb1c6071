// Text put into a composer from elsewhere (a person's menu → Mention): the composer focused last takes it, else the
// one mounted last. Composers register while mounted.
import { type RefObject, useEffect } from 'react';

type Insert = (text: string) => void;
const mounted: RefObject<Insert>[] = [];
let active: RefObject<Insert> | null = null;

/** Registers a composer's insert function while it is mounted; returns what marks it as the one focused last. */
export function useComposerInsert(insert: RefObject<Insert>): () => void {
  useEffect(() => {
    mounted.push(insert);
    return () => {
      mounted.splice(mounted.indexOf(insert), 1);
      if (active === insert) active = null;
    };
  }, [insert]);
  return () => {
    active = insert;
  };
}

/** Puts `text` at the end of the composer in use; false when no composer is open. */
export function insertIntoComposer(text: string): boolean {
  const target = active ?? mounted.at(-1);
  if (!target) return false;
  target.current(text);
  return true;
}
