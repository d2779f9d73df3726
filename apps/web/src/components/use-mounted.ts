"use client";
import { useSyncExternalStore } from "react";

const subscribe = () => () => {};
/** False during server rendering and hydration, true after: charts measure the DOM, so they render then. */
export function useMounted(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
