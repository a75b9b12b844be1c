/** Files the person downloads: a report's CSV as the API sends it (its own file name, BOM and neutralised
 * cells untouched), or a JSON document such as their own data export. */
import { unwrap, type Api } from "../api/client";

function fileName(disposition: string | null, fallback: string): string {
  const match = /filename="?([^";]+)"?/i.exec(disposition ?? "");
  return match?.[1] ?? fallback;
}

/** Hand `blob` to the browser as a download named `name`. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // Let the browser start the download before the URL goes.
  window.setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export function saveJson(document: unknown, name: string): void {
  saveBlob(new Blob([JSON.stringify(document, null, 2)], { type: "application/json" }), name);
}

export async function downloadReportCsv(api: Api, reportId: string): Promise<void> {
  let disposition: string | null = null;
  const blob = await unwrap(
    api
      .GET("/api/v1/reports/{report_id}", {
        params: { path: { report_id: reportId }, query: { format: "csv" } },
        parseAs: "blob",
      })
      .then((result) => {
        disposition = result.response.headers.get("Content-Disposition");
        return result;
      }),
  );
  saveBlob(blob, fileName(disposition, `${reportId}.csv`));
}
