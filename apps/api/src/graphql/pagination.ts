import { badInput } from "@costgate/core";

/**
 * A page of rows. Each field is a function, which graphql-js's default resolver calls only when
 * the field is selected: `versions(first: 1) { totalCount }` counts without reading rows, and
 * `edges` alone reads rows without counting.
 */
export interface Connection<T> {
  edges: () => Promise<{ cursor: string; node: T }[]>;
  pageInfo: () => Promise<{ hasNextPage: boolean; endCursor: string | null }>;
  totalCount: () => Promise<number>;
}

const MAX_PAGE_SIZE = 100;

const encodeCursor = (id: string): string => Buffer.from(`id:${id}`).toString("base64url");

function decodeCursor(cursor: string): string {
  const raw = Buffer.from(cursor, "base64url").toString("utf8");
  if (!raw.startsWith("id:") || raw.length < 4)
    throw badInput(`after: "${cursor}" is not a cursor this API gave out`, { field: "after" });
  return raw.slice(3);
}

export function pageSize(first: number | null | undefined, fallback = 20): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw badInput(`first must be between 1 and ${MAX_PAGE_SIZE} (got ${n})`, { field: "first" });
  return n;
}

/**
 * Cursor pagination over rows ordered newest first (createdAt desc, id desc).
 * `fetch` receives Prisma's cursor/skip/take; one extra row tells whether there is a next page.
 */
export function paginate<T extends { id: string }>(
  args: { first?: number | null; after?: string | null },
  fetch: (page: { take: number; skip?: number; cursor?: { id: string } }) => Promise<T[]>,
  count: () => Promise<number>,
  fallbackSize = 20,
): Connection<T> {
  // Arguments are checked at once, so a bad `first` or `after` fails the field whatever is selected.
  const size = pageSize(args.first, fallbackSize);
  const cursorId = args.after ? decodeCursor(args.after) : undefined;
  let rows: Promise<T[]> | undefined;
  const page = async () => {
    rows ??= fetch(cursorId ? { take: size + 1, skip: 1, cursor: { id: cursorId } } : { take: size + 1 });
    const all = await rows;
    return { page: all.slice(0, size), hasNextPage: all.length > size };
  };
  let total: Promise<number> | undefined;
  return {
    edges: async () => (await page()).page.map((node) => ({ cursor: encodeCursor(node.id), node })),
    pageInfo: async () => {
      const { page: p, hasNextPage } = await page();
      return { hasNextPage, endCursor: p.length ? encodeCursor(p[p.length - 1]!.id) : null };
    },
    totalCount: () => (total ??= count()),
  };
}

export const newestFirst = [{ createdAt: "desc" as const }, { id: "desc" as const }];
