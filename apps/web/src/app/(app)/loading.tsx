export default function Loading() {
  return (
    <div aria-busy="true" aria-live="polite" className="card">
      <p className="muted" style={{ margin: 0 }}>
        Loading…
      </p>
    </div>
  );
}
