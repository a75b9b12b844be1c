/** The centred card the sign-in steps show, with the app's name above it. */
import { Button, Card, Title2, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

import type { ApiProblem } from "../api/problem";
import { ProblemView } from "../components/states";

const useStyles = makeStyles({
  page: {
    minHeight: "100vh",
    display: "flex",
    alignItems: "center",
    justifyContent: "center",
    backgroundColor: tokens.colorNeutralBackground2,
    padding: tokens.spacingHorizontalL,
  },
  card: { width: "min(30rem, 100%)", padding: tokens.spacingHorizontalXXL, gap: tokens.spacingVerticalL },
  brand: { color: tokens.colorBrandForeground1, fontWeight: tokens.fontWeightSemibold },
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
});

export function Panel({ title, children }: { title: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <main className={styles.page}>
      <Card className={styles.card}>
        <Text className={styles.brand}>Insight365</Text>
        <Title2 as="h1">{title}</Title2>
        {children}
      </Card>
    </main>
  );
}

export function usePanelStyles() {
  return useStyles();
}

/** The area this person opened is not theirs (a customer in the operator area, or the reverse): why, and
 * a link to their own. */
export function OtherArea({
  title,
  children,
  link,
  href,
}: {
  title: string;
  children: string;
  link: string;
  href: string;
}) {
  return (
    <Panel title={title}>
      <Text>{children}</Text>
      <Button appearance="primary" as="a" href={href}>
        {link}
      </Button>
    </Panel>
  );
}

export function SignInFailed({ problem, onRetry }: { problem: ApiProblem; onRetry: () => void }) {
  return (
    <Panel title="Signing in did not work">
      <ProblemView problem={problem} onRetry={onRetry} />
    </Panel>
  );
}
