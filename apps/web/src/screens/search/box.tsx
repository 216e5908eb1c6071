// The search box in a server's conversation header: Enter searches the whole server with Discord's filters.
import { useState } from 'react';

export function SearchBox({ guildName, onSearch }: { guildName: string; onSearch: (text: string) => void }) {
  const [text, setText] = useState('');
  return (
    <search className="search-box">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) onSearch(text.trim());
        }}
      >
        <input
          type="search"
          aria-label={`Search ${guildName}`}
          title="Words, from:name, mentions:name, in:channel, has:link|file|image|video|sound|embed|sticker"
          placeholder="Search"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </form>
    </search>
  );
}
