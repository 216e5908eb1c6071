// The slash command picker: the commands the person may use here, grouped by application (its icon and name), the
// one chosen by the arrow keys marked. The composer owns the keys (its text box keeps focus) and the filtering.
import type { CommandEntry } from './commands';

export function AppIcon({ app }: { app: { id: string; name: string; icon: string | null } }) {
  if (app.icon) return <img className="app-icon" src={`/app-icons/${app.id}/${app.icon}.png`} alt="" />;
  return (
    <span className="app-icon" aria-hidden="true">
      {app.name.slice(0, 1).toUpperCase()}
    </span>
  );
}

export function CommandPicker(props: {
  id: string;
  entries: CommandEntry[];
  selected: number;
  onChoose: (e: CommandEntry) => void;
}) {
  const groups: Array<{ app: CommandEntry['application']; items: Array<[CommandEntry, number]> }> = [];
  props.entries.forEach((e, i) => {
    const last = groups[groups.length - 1];
    if (last?.app.id === e.application.id) last.items.push([e, i]);
    else groups.push({ app: e.application, items: [[e, i]] });
  });
  return (
    <div className="autocomplete command-picker" role="listbox" id={props.id} aria-label="Commands">
      {groups.map((g) => (
        <div key={g.app.id} className="command-group">
          <div className="app-heading" aria-hidden="true">
            <AppIcon app={g.app} /> {g.app.name}
          </div>
          {g.items.map(([e, i]) => (
            <div
              key={e.key}
              id={`${props.id}-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === props.selected}
              onMouseDown={(ev) => ev.preventDefault()}
              onClick={() => props.onChoose(e)}
              onKeyDown={() => {}}
            >
              <strong>{e.label}</strong> <small>{e.description}</small>
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}
