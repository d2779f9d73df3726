/**
 * What a page shows while its server components wait for the API: the page's title and grey
 * blocks where its cards will be, so the layout does not jump when the data arrives.
 */
export function PageLoading({ title, cards = 2 }: { title: string; cards?: number }) {
  return (
    <div aria-busy="true" aria-live="polite">
      <div className="page-header">
        <div>
          <h1>{title}</h1>
          <p className="lead muted">Loading…</p>
        </div>
      </div>
      {Array.from({ length: cards }, (_, i) => (
        <div key={i} className="card skeleton" aria-hidden="true">
          <div className="skeleton-line" style={{ width: "30%" }} />
          <div className="skeleton-line" />
          <div className="skeleton-line" style={{ width: "85%" }} />
        </div>
      ))}
    </div>
  );
}
