/** An id (an organisation's, an audit row's): breaks anywhere, so a long one never runs into the next
 * column. */
import { makeStyles } from "@fluentui/react-components";

const useStyles = makeStyles({ id: { overflowWrap: "anywhere" } });

export function Identifier({ children }: { children: string }) {
  return <span className={useStyles().id}>{children}</span>;
}
