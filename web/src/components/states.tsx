/** The states every screen has besides its data: loading, empty and failed. */
import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle2,
  Body1,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import type { ReactNode } from "react";

import type { ApiProblem } from "../api/problem";
import type { Loaded } from "../api/useApi";

const useStyles = makeStyles({
  empty: {
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
    padding: tokens.spacingVerticalXXL,
    border: `${tokens.strokeWidthThin} dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusLarge,
    maxWidth: "40rem",
  },
});

export function Loading({ label }: { label: string }) {
  return <Spinner label={label} labelPosition="below" />;
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  const styles = useStyles();
  return (
    <section className={styles.empty} aria-label={title} data-state="empty">
      <Subtitle2 as="h2">{title}</Subtitle2>
      {children === undefined ? null : <Body1 as="p">{children}</Body1>}
    </section>
  );
}

export function ProblemView({ problem, onRetry }: { problem: ApiProblem; onRetry?: () => void }) {
  return (
    <MessageBar intent="error" layout="multiline" data-state="error">
      <MessageBarBody>
        <MessageBarTitle>{problem.title}</MessageBarTitle>
        {problem.detail}
      </MessageBarBody>
      {onRetry === undefined ? null : (
        <MessageBarActions>
          <Button onClick={onRetry}>Try again</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

/** Render `loaded`: a spinner, the problem, or `children(data)`. */
export function Load<T>({
  loaded,
  label,
  onRetry,
  whenFailed,
  children,
}: {
  loaded: Loaded<T>;
  label: string;
  onRetry?: () => void;
  /** A screen's own rendering of some problems (an empty state), or null for the default. */
  whenFailed?: (problem: ApiProblem) => ReactNode | null;
  children: (data: T) => ReactNode;
}) {
  if (loaded.state === "loading") {
    return <Loading label={label} />;
  }
  if (loaded.state === "failed") {
    return whenFailed?.(loaded.problem) ?? <ProblemView problem={loaded.problem} onRetry={onRetry} />;
  }
  return <>{children(loaded.data)}</>;
}
