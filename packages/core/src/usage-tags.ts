/**
 * Tags on usage (feature=search, customer=acme, env=prod): the limits, checked once here for
 * recordUsage, budgets scoped to a tag and the spend queries. A record's tags are stored as one
 * JSON object with its keys sorted (`canonicalTags`), so equal tag sets are equal values.
 */

/** Most tags one usage record carries. */
const MAX_TAGS_PER_RECORD = 10;
const MAX_TAG_KEY_LENGTH = 64;
const MAX_TAG_VALUE_LENGTH = 128;
/** Keys: a letter or digit first, then letters, digits and _ . : / - (e.g. feature, customer_id, k8s/namespace). */
const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:/-]*$/;

export interface TagValue {
  key: string;
  value: string;
}

/** What is wrong with one tag ("key ..."/"value ..."), or null. */
export function tagProblem(tag: TagValue): { field: "key" | "value"; message: string } | null {
  const { key, value } = tag;
  if (!key) return { field: "key", message: "must not be empty" };
  if (key.length > MAX_TAG_KEY_LENGTH)
    return { field: "key", message: `must be at most ${MAX_TAG_KEY_LENGTH} characters (got ${key.length})` };
  if (!TAG_KEY.test(key))
    return {
      field: "key",
      message: `"${key.slice(0, 80)}" must start with a letter or digit and hold only letters, digits and _ . : / -`,
    };
  if (!value.trim()) return { field: "value", message: `of tag "${key}" must not be empty` };
  if (value.length > MAX_TAG_VALUE_LENGTH)
    return {
      field: "value",
      message: `of tag "${key}" must be at most ${MAX_TAG_VALUE_LENGTH} characters (got ${value.length})`,
    };
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value))
    return { field: "value", message: `of tag "${key}" must not contain control characters` };
  return null;
}

/** What is wrong with a record's tags (count, a repeated key, then the first bad tag), as "tags[i].key: ..." text, or null. */
export function tagsProblem(tags: readonly TagValue[]): { path: string; message: string } | null {
  if (tags.length > MAX_TAGS_PER_RECORD)
    return { path: "tags", message: `at most ${MAX_TAGS_PER_RECORD} tags per record (got ${tags.length})` };
  const seen = new Set<string>();
  for (const [i, tag] of tags.entries()) {
    const problem = tagProblem(tag);
    if (problem) return { path: `tags[${i}].${problem.field}`, message: problem.message };
    if (seen.has(tag.key)) return { path: `tags[${i}].key`, message: `"${tag.key}" is given twice` };
    seen.add(tag.key);
  }
  return null;
}

/** The tags as one JSON object text, keys sorted: the stored form ("{}" when none). */
export function canonicalTags(tags: readonly TagValue[] | null | undefined): string {
  if (!tags?.length) return "{}";
  const sorted = [...tags].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return JSON.stringify(Object.fromEntries(sorted.map((t) => [t.key, t.value])));
}
