/** "Download CSV" for one report, with the API's problem beneath it when the download fails. */
import { Button } from "@fluentui/react-components";

import { useAction } from "../api/useAction";
import { useSignedIn } from "../auth/context";
import { downloadReportCsv } from "./download";
import { ProblemView } from "./states";

export function DownloadCsv({ reportId, label = "Download CSV" }: { reportId: string; label?: string }) {
  const { api } = useSignedIn();
  const download = useAction();
  return (
    <>
      <Button
        disabled={download.busy}
        onClick={() => void download.run(() => downloadReportCsv(api, reportId))}
      >
        {label}
      </Button>
      {download.problem === null ? null : <ProblemView problem={download.problem} />}
    </>
  );
}
