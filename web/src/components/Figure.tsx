/** One headline figure: what it is, its value, and a line that puts it in context. */
import { Caption1, Card, Text, makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  grid: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(15rem, 1fr))",
    gap: tokens.spacingHorizontalL,
  },
  card: { gap: tokens.spacingVerticalXS },
  value: {
    fontSize: tokens.fontSizeHero800,
    lineHeight: tokens.lineHeightHero800,
    fontWeight: tokens.fontWeightSemibold,
  },
});

export function Figures({ label, children }: { label: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <section className={styles.grid} aria-label={label}>
      {children}
    </section>
  );
}

export function Figure({
  id,
  label,
  value,
  children,
}: {
  id: string;
  label: string;
  value: string;
  children?: ReactNode;
}) {
  const styles = useStyles();
  return (
    <Card className={styles.card} data-figure={id} aria-labelledby={`figure-${id}`}>
      <Text id={`figure-${id}`} weight="semibold">
        {label}
      </Text>
      <Text className={styles.value} data-testid={`figure-${id}`}>
        {value}
      </Text>
      {children === undefined ? null : <Caption1 as="p">{children}</Caption1>}
    </Card>
  );
}
