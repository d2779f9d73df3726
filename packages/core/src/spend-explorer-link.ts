/**
 * The spend explorer's filters as a dashboard path (/spend?team=...&from=...), written by the API
 * (an alert's link) and read by the dashboard's page: one format for both.
 */
export type ExplorerGroupBy = "TEAM" | "MODEL" | "VERSION" | "HARDWARE" | "TAG";
export const EXPLORER_GROUP_BYS: readonly ExplorerGroupBy[] = ["TEAM", "MODEL", "VERSION", "HARDWARE", "TAG"];

export interface ExplorerFilters {
  teamId?: string | null;
  modelId?: string | null;
  /** 'YYYY-MM-DD', inclusive. */
  from: string;
  /** 'YYYY-MM-DD', exclusive. */
  to: string;
  groupBy: ExplorerGroupBy;
  /** The tag to group by (groupBy TAG). */
  tagKey?: string | null;
  /** Only usage carrying this tag. */
  tag?: { key: string; value: string } | null;
}

const SPEND_EXPLORER_PATH = "/spend";

export function spendExplorerPath(f: ExplorerFilters): string {
  const q = new URLSearchParams();
  if (f.teamId) q.set("team", f.teamId);
  if (f.modelId) q.set("model", f.modelId);
  q.set("from", f.from);
  q.set("to", f.to);
  q.set("groupBy", f.groupBy);
  if (f.tagKey) q.set("tagKey", f.tagKey);
  if (f.tag) q.set("tag", `${f.tag.key}=${f.tag.value}`);
  return `${SPEND_EXPLORER_PATH}?${q.toString()}`;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Reads the filters back (a page's search params); what is missing or malformed takes the defaults given. */
export function readExplorerFilters(
  params: { get(name: string): string | null },
  defaults: { from: string; to: string },
): ExplorerFilters {
  const groupBy = params.get("groupBy") as ExplorerGroupBy | null;
  const from = params.get("from");
  const to = params.get("to");
  const tag = params.get("tag");
  const eq = tag ? tag.indexOf("=") : -1;
  return {
    teamId: params.get("team") || null,
    modelId: params.get("model") || null,
    from: from && DAY.test(from) ? from : defaults.from,
    to: to && DAY.test(to) ? to : defaults.to,
    groupBy: groupBy && EXPLORER_GROUP_BYS.includes(groupBy) ? groupBy : "MODEL",
    tagKey: params.get("tagKey") || null,
    tag: tag && eq > 0 ? { key: tag.slice(0, eq), value: tag.slice(eq + 1) } : null,
  };
}
