import Link from "next/link";

/**
 * First/Next links of a cursor-paginated list page: `params` are the page's filters (kept on
 * both links; empty values dropped), `after` the cursor the page was opened at.
 */
export function Pager({
  path,
  params,
  after,
  pageInfo,
}: {
  path: string;
  params: Record<string, string | null | undefined>;
  after?: string | null;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}) {
  const kept = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => !!e[1]));
  const href = (extra: Record<string, string> = {}) => {
    const query = new URLSearchParams({ ...kept, ...extra }).toString();
    return query ? `${path}?${query}` : path;
  };
  const next = pageInfo.hasNextPage && pageInfo.endCursor ? href({ after: pageInfo.endCursor }) : null;
  return (
    <nav aria-label="Pages" className="row" style={{ marginTop: "0.75rem" }}>
      {after ? (
        <Link className="button small" href={href()}>
          ← First page
        </Link>
      ) : null}
      {next ? (
        <Link className="button small" href={next}>
          Next page →
        </Link>
      ) : null}
    </nav>
  );
}
