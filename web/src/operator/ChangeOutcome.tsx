/** What an operator sees when a change to an incident failed; when it met a newer version (412), that
 * theirs was not applied and the latest version is shown. */
import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";

import type { ApiProblem } from "../api/problem";
import { ProblemView } from "../components/states";

export function ChangeOutcome({ problem }: { problem: ApiProblem | null }) {
  if (problem === null) {
    return null;
  }
  if (problem.status === 412) {
    return (
      <MessageBar intent="warning" layout="multiline" data-testid="incident-conflict">
        <MessageBarBody>
          <MessageBarTitle>Someone else changed this incident</MessageBarTitle>
          Your change was not made. The latest version is shown now: check it, then try again.
        </MessageBarBody>
      </MessageBar>
    );
  }
  return <ProblemView problem={problem} />;
}
