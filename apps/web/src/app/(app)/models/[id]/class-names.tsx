/** A classifier's classes in output order: the first few inline, all of them on demand. */
const INLINE = 12;

export function ClassNames({ names }: { names: string[] }) {
  const shown = names.slice(0, INLINE).map((n, i) => `${i} ${n}`);
  if (names.length <= INLINE) return <p className="class-names">Classes (output: name): {shown.join(", ")}.</p>;
  return (
    <details className="class-names">
      <summary>
        {names.length} classes (output: name): {shown.join(", ")}, …
      </summary>
      <ol start={0}>
        {names.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ol>
    </details>
  );
}
