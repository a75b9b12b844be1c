/** A titled part of a screen: an <h2> that names the region for assistive technology. */
import { Subtitle1, makeStyles, tokens } from "@fluentui/react-components";
import type { ReactNode } from "react";

const useStyles = makeStyles({
  section: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, minWidth: 0 },
  head: { display: "flex", gap: tokens.spacingHorizontalL, alignItems: "center", flexWrap: "wrap" },
});

export function Section({
  id,
  title,
  actions,
  children,
}: {
  id: string;
  title: string;
  /** Buttons beside the title. */
  actions?: ReactNode;
  children: ReactNode;
}) {
  const styles = useStyles();
  return (
    <section className={styles.section} aria-labelledby={`${id}-title`} data-section={id}>
      <div className={styles.head}>
        <Subtitle1 as="h2" id={`${id}-title`}>
          {title}
        </Subtitle1>
        {actions}
      </div>
      {children}
    </section>
  );
}
