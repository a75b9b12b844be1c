/** "Saved." under a form, kept by the screen that loads the form's document rather than by the form: the
 * saved document comes back with a new ETag, which remounts its form (so its fields show what was stored),
 * and state of the form's own would go with it; the confirmation then flashed and vanished. */
import { useMemo, useState } from "react";

export interface SaveNotice {
  readonly saved: boolean;
  saving(): void;
  done(): void;
}

export function useSaveNotice(): SaveNotice {
  const [saved, setSaved] = useState(false);
  return useMemo(() => ({ saved, saving: () => setSaved(false), done: () => setSaved(true) }), [saved]);
}
