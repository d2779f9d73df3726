"use client";
// Filters the list as you type (the URL keeps the search, so it can be shared and reloaded);
// Enter or the Search button submit the same form without JavaScript.
import { usePathname, useRouter } from "next/navigation";
import { useEffect, useRef, useState, useTransition } from "react";

export function SearchBox({ initial }: { initial: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const [value, setValue] = useState(initial);
  const [pending, start] = useTransition();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const onChange = (next: string) => {
    setValue(next);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      const q = next.trim();
      start(() => router.replace(q ? `${pathname}?q=${encodeURIComponent(q)}` : pathname, { scroll: false }));
    }, 250);
  };
  return (
    <div className="field">
      <label htmlFor="model-search">Search models</label>
      <input
        id="model-search"
        name="q"
        type="search"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        placeholder="Name or description"
        aria-describedby="model-search-status"
      />
      <span id="model-search-status" className="small muted" aria-live="polite">
        {pending ? "Searching…" : ""}
      </span>
    </div>
  );
}
