/** Lists the API pages with an opaque continuation token: read every page of a short list. */
interface Page<T> {
  readonly items: T[];
  readonly continuation?: string | null;
}

export async function allPages<T>(
  page: (continuation: string | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  let continuation: string | undefined;
  do {
    const next = await page(continuation);
    items.push(...next.items);
    continuation = next.continuation ?? undefined;
  } while (continuation !== undefined);
  return items;
}
