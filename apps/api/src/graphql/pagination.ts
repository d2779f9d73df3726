import { badInput } from "@costgate/core";

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

export const MAX_PAGE_SIZE = 100;

export const encodeCursor = (id: string): string => Buffer.from(`id:${id}`).toString("base64url");

export function decodeCursor(cursor: string): string {
  const raw = Buffer.from(cursor, "base64url").toString("utf8");
  if (!raw.startsWith("id:") || raw.length < 4) throw badInput(`after: "${cursor}" is not a cursor this API gave out`, { field: "after" });
  return raw.slice(3);
}

export function pageSize(first: number | null | undefined, fallback = 20): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE} (got ${n})`, { field: "first" });
  return n;
}

/**
 * Cursor pagination over rows ordered newest first (createdAt desc, id desc).
 * `fetch` receives Prisma's cursor/skip/take; one extra row tells whether there is a next page.
 */
export async function paginate<T extends { id: string }>(
  args: { first?: number | null; after?: string | null },
  fetch: (page: { take: number; skip?: number; cursor?: { id: string } }) => Promise<T[]>,
  count: () => Promise<number>,
  fallbackSize = 20,
): Promise<Connection<T>> {
  const size = pageSize(args.first, fallbackSize);
  const cursorId = args.after ? decodeCursor(args.after) : undefined;
  const [rows, totalCount] = await Promise.all([
    fetch(cursorId ? { take: size + 1, skip: 1, cursor: { id: cursorId } } : { take: size + 1 }),
    count(),
  ]);
  const page = rows.slice(0, size);
  return {
    edges: page.map((node) => ({ cursor: encodeCursor(node.id), node })),
    pageInfo: { hasNextPage: rows.length > size, endCursor: page.length ? encodeCursor(page[page.length - 1]!.id) : null },
    totalCount,
  };
}

export const newestFirst = [{ createdAt: "desc" as const }, { id: "desc" as const }];
