/** Facts about one thing, as term and value pairs (a description list). */
import { makeStyles, tokens } from "@fluentui/react-components";

const useStyles = makeStyles({
  facts: {
    display: "grid",
    gridTemplateColumns: "max-content 1fr",
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  pair: { display: "contents" },
  term: { fontWeight: tokens.fontWeightSemibold },
  definition: { margin: 0 },
});

export function FactList({ facts, testId }: { facts: readonly [string, string][]; testId: string }) {
  const styles = useStyles();
  return (
    <dl className={styles.facts} data-testid={testId}>
      {facts.map(([term, value]) => (
        <div key={term} className={styles.pair}>
          <dt className={styles.term}>{term}</dt>
          <dd className={styles.definition}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
