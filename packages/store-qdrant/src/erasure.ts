/**
 * Erasure: hard-deleting every memory a filter matches, with its history and tombstones, in as
 * few requests as Qdrant allows. Separate from the store's deletes, which keep DELETE events.
 */
import { SCOPE_KEYS, type FilterNode } from "@mem0/core";
import { PAGE, type QdrantCollection } from "./collection.js";
import { asArray, translateFilter, type QdrantCondition, type QdrantFilter } from "./filter.js";
import { DELETED_KEY, RESERVED_KEY, fieldKey } from "./paths.js";

/**
 * Deletes what `filter` matches: one delete-by-filter request when the filter is native (live
 * points and the tombstones of the same scope), else the live points `matchingIds` lists, page by
 * page. `countLive` is asked first; its answer is returned (memories, not tombstones).
 */
export async function eraseMatching(
  collection: QdrantCollection,
  filter: FilterNode | null,
  live: { countLive: () => Promise<number>; matchingIds: () => Promise<string[]> },
): Promise<number> {
  const { client, name, textIndexed } = collection;
  const translated = translateFilter(filter, { textIndexed });
  if (translated.filter === "none") return 0;
  const count = await live.countLive();
  if (translated.exact) {
    // Tombstones keep their scope ids under `_mem0.scope`: the same filter, read there, finds them.
    const tomb = translateFilter(filter, { textIndexed, fieldKey: tombstoneKey });
    const isTomb: QdrantCondition = { key: DELETED_KEY, match: { value: true } };
    const tombs: QdrantFilter[] =
      tomb.filter === "none" || !tomb.exact ? [] : [{ must: [...asArray(tomb.filter?.must), isTomb] }];
    const liveFilter = translated.filter ?? {};
    const selector: QdrantFilter = tombs.length === 0 ? liveFilter : { should: [liveFilter, ...tombs] };
    await collection.call(() => client.delete(name, { ...collection.writeArgs, filter: selector }));
    return count;
  }
  const ids = await live.matchingIds();
  for (let start = 0; start < ids.length; start += PAGE) {
    const points = ids.slice(start, start + PAGE);
    await collection.call(() => client.delete(name, { ...collection.writeArgs, points }));
  }
  return count;
}

/** Where a tombstone keeps a field: scope ids under `_mem0.scope`, nothing else. */
function tombstoneKey(field: string): string | undefined {
  return (SCOPE_KEYS as readonly string[]).includes(field) ? `${RESERVED_KEY}.scope.${field}` : fieldKey(field);
}
