/** Audit log (admins): every request that reached an authenticated route, newest first, filtered by
 * time, action, actor and outcome; paged with the API's continuation (one uninterrupted read of the
 * window the first page fixed). */
import {
  Badge,
  Button,
  Dropdown,
  Field,
  Input,
  Option,
  Text,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import { unwrap, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { DataTable } from "../components/DataTable";
import { EmptyState, Load } from "../components/states";
import { formatMoment } from "../format";

type Outcome = Schemas["AuditEntry"]["outcome"];
const OUTCOMES: readonly Outcome[] = ["allowed", "denied", "rejected", "error", "security"];
const ANY = "any";
export const PAGE_SIZE = 25;
const OUTCOME_COLOUR = {
  allowed: "success",
  denied: "warning",
  rejected: "warning",
  error: "danger",
  security: "danger",
} as const;

interface Query {
  readonly from: string;
  readonly to: string;
  readonly action: string;
  readonly actor: string;
  readonly outcome: Outcome | typeof ANY;
}

const useStyles = makeStyles({
  filters: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "end", flexWrap: "wrap" },
  paging: { display: "flex", gap: tokens.spacingHorizontalM, alignItems: "center" },
});

/** The query as the API takes it: whole days in UTC, empty filters left out. */
function parameters(query: Query) {
  return {
    from: query.from ? `${query.from}T00:00:00Z` : undefined,
    to: query.to ? `${query.to}T23:59:59Z` : undefined,
    action: query.action.trim() || undefined,
    actor: query.actor.trim() || undefined,
    outcome: query.outcome === ANY ? undefined : query.outcome,
    page_size: PAGE_SIZE,
  };
}

/** The filters in words, e.g. " · action GET /api/v1/members · outcome denied". */
function described(query: Query): string {
  const parts = [
    query.from ? `from ${query.from}` : "",
    query.to ? `to ${query.to}` : "",
    query.action.trim() ? `action ${query.action.trim()}` : "",
    query.actor.trim() ? `actor ${query.actor.trim()}` : "",
    query.outcome === ANY ? "" : `outcome ${query.outcome}`,
  ];
  return parts
    .filter((part) => part !== "")
    .map((part) => ` · ${part}`)
    .join("");
}

function Filters({ initial, onSearch }: { initial: Query; onSearch: (query: Query) => void }) {
  const styles = useStyles();
  const [query, setQuery] = useState(initial);
  const text = (name: "from" | "to" | "action" | "actor", label: string, type: "date" | "text") => (
    <Field label={label}>
      <Input
        name={`audit_${name}`}
        type={type}
        value={query[name]}
        onChange={(_, data) => setQuery({ ...query, [name]: data.value })}
      />
    </Field>
  );
  return (
    <form
      className={styles.filters}
      onSubmit={(event: FormEvent) => {
        event.preventDefault();
        onSearch(query);
      }}
    >
      {text("from", "From", "date")}
      {text("to", "To", "date")}
      {text("action", "Action", "text")}
      {text("actor", "Actor (member id)", "text")}
      <Field label="Outcome">
        <Dropdown
          value={query.outcome === ANY ? "Any outcome" : query.outcome}
          selectedOptions={[query.outcome]}
          onOptionSelect={(_, data) => setQuery({ ...query, outcome: (data.optionValue as Outcome) ?? ANY })}
        >
          <Option value={ANY}>Any outcome</Option>
          {OUTCOMES.map((outcome) => (
            <Option key={outcome} value={outcome}>
              {outcome}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Button appearance="primary" type="submit">
        Search
      </Button>
    </form>
  );
}

export function Audit() {
  const styles = useStyles();
  const { api } = useSignedIn();
  const [query, setQuery] = useState<Query>({ from: "", to: "", action: "", actor: "", outcome: ANY });
  // The continuation of each page read so far: [undefined] is the first page.
  const [pages, setPages] = useState<(string | undefined)[]>([undefined]);
  const continuation = pages[pages.length - 1];
  const number = pages.length;
  const [loaded, reload] = useApi(
    async () => ({
      ...(await unwrap(
        api.GET("/api/v1/audit", { params: { query: { ...parameters(query), continuation } } }),
      )),
      // Which page of which query these rows are: the previous rows stay on screen while the next load.
      number,
      filters: described(query),
    }),
    [api, query, continuation, number],
  );
  return (
    <>
      <Title2 as="h1">Audit log</Title2>
      <Filters
        initial={query}
        onSearch={(next) => {
          setQuery(next);
          setPages([undefined]);
        }}
      />
      <Load loaded={loaded} label="Loading the audit log" onRetry={reload}>
        {(page) => (
          <>
            {page.items.length === 0 ? (
              <EmptyState title="No entries on this page" />
            ) : (
              <DataTable
                label="Audit entries, newest first"
                testId="audit"
                headers={["When", "Actor", "Role", "Action", "Target", "Outcome", "Status", "Request id"]}
                numeric={[6]}
                rows={page.items.map((entry) => ({
                  key: `${entry.request_id}-${entry.at}-${entry.action}`,
                  cells: [
                    formatMoment(entry.at),
                    entry.actor_member_id,
                    entry.actor_role,
                    entry.action,
                    entry.target,
                    <Badge key="outcome" appearance="tint" color={OUTCOME_COLOUR[entry.outcome]}>
                      {entry.outcome}
                    </Badge>,
                    String(entry.status),
                    entry.request_id,
                  ],
                }))}
              />
            )}
            <div className={styles.paging}>
              <Button disabled={page.number === 1} onClick={() => setPages(pages.slice(0, page.number - 1))}>
                Previous page
              </Button>
              <Text data-testid="audit-page">
                Page {page.number}
                {page.filters}
              </Text>
              <Button
                disabled={!page.continuation}
                onClick={() => setPages([...pages.slice(0, page.number), page.continuation ?? undefined])}
              >
                Next page
              </Button>
            </div>
          </>
        )}
      </Load>
    </>
  );
}
