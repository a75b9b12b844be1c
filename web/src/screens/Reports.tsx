/** Reports: the catalogue the person's role may read, a preview of the chosen report and its CSV. */
import {
  Badge,
  Caption1,
  Card,
  CardHeader,
  Link,
  Text,
  Title2,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { useNavigate, useSearchParams } from "react-router-dom";

import { unwrap, type Schemas } from "../api/client";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { DownloadCsv } from "../components/DownloadCsv";
import { whenNotPublished } from "../components/NotPublished";
import { ReportTable, rowsShown, type ReportRow } from "../components/ReportTable";
import { Section } from "../components/Section";
import { EmptyState, Load } from "../components/states";
import { formatDay } from "../format";

const PREVIEW_ROWS = 20;

const useStyles = makeStyles({
  catalogue: {
    display: "grid",
    gridTemplateColumns: "repeat(auto-fill, minmax(18rem, 1fr))",
    gap: tokens.spacingHorizontalL,
    listStyleType: "none",
    margin: 0,
    padding: 0,
  },
  chosen: { outline: `${tokens.strokeWidthThick} solid ${tokens.colorBrandStroke1}` },
});

function Preview({ report }: { report: Schemas["ReportInfo"] }) {
  const { api } = useSignedIn();
  const [document, reload] = useApi(
    () =>
      unwrap(api.GET("/api/v1/reports/{report_id}", { params: { path: { report_id: report.id } } })).then(
        (body) => body as Schemas["ReportDocument"],
      ),
    [api, report.id],
  );
  return (
    <Section id="preview" title={report.title} actions={<DownloadCsv reportId={report.id} />}>
      <Text>{report.description}</Text>
      <Load loaded={document} label="Loading the report" onRetry={reload} whenFailed={whenNotPublished}>
        {(loaded) =>
          loaded.rows.length === 0 ? (
            <EmptyState title="This report has no rows" />
          ) : (
            <>
              <Caption1 data-testid="preview-count">
                Data as of {formatDay(loaded.as_of)}: {rowsShown(loaded.rows.length, PREVIEW_ROWS)}
              </Caption1>
              <ReportTable
                label={`Preview of ${report.title}`}
                columns={loaded.columns}
                rows={loaded.rows as ReportRow[]}
                limit={PREVIEW_ROWS}
              />
            </>
          )
        }
      </Load>
    </Section>
  );
}

export function Reports() {
  const styles = useStyles();
  const { api } = useSignedIn();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [catalogue, reload] = useApi(async () => (await unwrap(api.GET("/api/v1/reports"))).items, [api]);
  const chosenId = params.get("report");
  return (
    <>
      <Title2 as="h1">Reports</Title2>
      <Load loaded={catalogue} label="Loading reports" onRetry={reload}>
        {(reports) => {
          const chosen = reports.find((report) => report.id === chosenId);
          return (
            <>
              <ul className={styles.catalogue} aria-label="Reports you may read" data-testid="catalogue">
                {reports.map((report) => (
                  <li key={report.id} data-report={report.id}>
                    <Card className={report.id === chosenId ? styles.chosen : undefined}>
                      <CardHeader
                        header={
                          <Link
                            href={`/reports?report=${report.id}`}
                            aria-current={report.id === chosenId ? "page" : undefined}
                            onClick={(event) => {
                              event.preventDefault();
                              navigate(`/reports?report=${report.id}`);
                            }}
                          >
                            {report.title}
                          </Link>
                        }
                        description={
                          report.person_level ? (
                            <Badge appearance="tint" color="warning">
                              Names people (admins only)
                            </Badge>
                          ) : (
                            <Badge appearance="tint">Aggregate</Badge>
                          )
                        }
                      />
                      <Caption1>{report.description}</Caption1>
                    </Card>
                  </li>
                ))}
              </ul>
              {chosen === undefined ? (
                <EmptyState title="Choose a report">
                  Pick a report above to preview it and download it.
                </EmptyState>
              ) : (
                <Preview key={chosen.id} report={chosen} />
              )}
            </>
          );
        }}
      </Load>
    </>
  );
}
