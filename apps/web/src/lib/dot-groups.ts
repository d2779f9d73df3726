// Dots drawn at (nearly) the same place on a chart: versions of one artifact measure the same
// cost and accuracy, and one dot drawn over another hides it (its label, its tooltip, its hover).
// Such dots are drawn once, labelled with every version they stand for.

export interface Placed<T> {
  item: T;
  x: number;
  y: number;
}

/**
 * Groups items whose dots lie within `distance` of a group's first dot (in the order given),
 * keeping that order inside and across groups. A group is drawn at its first dot.
 */
export function groupOverlapping<T>(placed: readonly Placed<T>[], distance: number): Placed<T>[][] {
  const groups: Placed<T>[][] = [];
  for (const p of placed) {
    const near = groups.find((g) => Math.hypot(g[0]!.x - p.x, g[0]!.y - p.y) < distance);
    if (near) near.push(p);
    else groups.push([p]);
  }
  return groups;
}
