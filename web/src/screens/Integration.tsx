/** Integration (super admins): the Microsoft 365 connection's status (with the last error in words),
 * each Graph permission as last tested, testing it again, replacing it and disconnecting. */
import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  Title2,
} from "@fluentui/react-components";
import { useState } from "react";
import { Link as RouterLink } from "react-router-dom";

import { unwrap, type Schemas } from "../api/client";
import { useAction } from "../api/useAction";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { ConfirmButton } from "../components/ConfirmButton";
import { DataTable } from "../components/DataTable";
import { Section } from "../components/Section";
import { EmptyState, Load, ProblemView } from "../components/states";
import { formatMoment } from "../format";
import { ConnectForm, Permissions } from "../settings/Connection";

const STATUS = {
  connected: { text: "Connected", colour: "success" },
  error: { text: "Needs attention", colour: "danger" },
  disconnected: { text: "Not connected", colour: "subtle" },
} as const;

function when(value: string | null | undefined): string {
  return value ? formatMoment(value) : "Never";
}

function Status({ integration }: { integration: Schemas["IntegrationView"] }) {
  const status = STATUS[integration.status];
  return (
    <>
      <div>
        <Badge
          appearance="filled"
          color={status.colour}
          data-testid="integration-status"
          data-status={integration.status}
        >
          {status.text}
        </Badge>
      </div>
      {integration.status === "error" && integration.last_error ? (
        <MessageBar intent="error" layout="multiline" data-testid="last-error">
          <MessageBarBody>
            <MessageBarTitle>
              What went wrong {integration.last_error_at ? formatMoment(integration.last_error_at) : ""}
            </MessageBarTitle>
            {integration.last_error}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <DataTable
        label="Connection"
        testId="connection"
        headers={["Detail", "Value"]}
        rows={[
          { key: "tenant", cells: ["Tenant ID", integration.tenant_id ?? ""] },
          { key: "client", cells: ["Client ID", integration.client_id ?? ""] },
          { key: "connected", cells: ["Connected", when(integration.connected_at)] },
          { key: "tested", cells: ["Last tested", when(integration.tested_at)] },
          { key: "refreshed", cells: ["Last refresh published", when(integration.last_refresh_at)] },
        ]}
      />
    </>
  );
}

function Test({ onTested }: { onTested: () => void }) {
  const { api } = useSignedIn();
  const action = useAction();
  const [result, setResult] = useState<Schemas["ConnectionTestView"] | null>(null);
  async function test() {
    const tested = await action.run(() => unwrap(api.POST("/api/v1/integrations/m365/test")));
    if (tested.ok) {
      setResult(tested.value);
      onTested();
    }
  }
  return (
    <>
      <div>
        <Button onClick={() => void test()} disabled={action.busy}>
          {action.busy ? "Testing…" : "Test connection"}
        </Button>
      </div>
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
      {result === null ? null : (
        <MessageBar intent={result.ok ? "success" : "error"} layout="multiline" data-testid="test-result">
          <MessageBarBody>
            <MessageBarTitle>
              {result.ok ? "The connection works" : "The connection does not work yet"} (
              {formatMoment(result.tested_at)})
            </MessageBarTitle>
            {result.error ?? ""}
            {(result.missing_permissions ?? []).length > 0
              ? ` Missing: ${(result.missing_permissions ?? []).join(", ")}.`
              : ""}
          </MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}

export function Integration() {
  const { api } = useSignedIn();
  const [loaded, reload] = useApi(() => unwrap(api.GET("/api/v1/integrations/m365")), [api]);
  const disconnect = useAction();
  return (
    <>
      <Title2 as="h1">Integration</Title2>
      <Load loaded={loaded} label="Loading the integration" onRetry={reload}>
        {(integration) =>
          integration.status === "disconnected" ? (
            <>
              <EmptyState title="No tenant connected yet">
                Connect your Microsoft 365 tenant here, or follow{" "}
                <RouterLink to="/get-started">Get started</RouterLink> to connect it, run the first refresh
                and set prices in one go.
              </EmptyState>
              <Section id="connect" title="Connect Microsoft 365">
                <ConnectForm onConnected={reload} />
              </Section>
            </>
          ) : (
            <>
              <Section id="status" title="Microsoft 365">
                <Status integration={integration} />
                <Test onTested={reload} />
              </Section>
              <Section id="permissions" title="Permissions">
                <Text>Each Microsoft Graph permission as the latest connection test found it.</Text>
                <Permissions permissions={integration.permissions ?? []} />
              </Section>
              <Section id="replace" title="Replace the connection">
                <ConnectForm onConnected={reload} />
              </Section>
              <Section id="disconnect" title="Disconnect">
                <Text>
                  Insight365 stops refreshing and deletes the client secret. Figures already published stay
                  until their retention ends.
                </Text>
                <div>
                  <ConfirmButton
                    label="Disconnect"
                    title="Disconnect Microsoft 365?"
                    confirm="Disconnect"
                    disabled={disconnect.busy}
                    onConfirm={() =>
                      void disconnect.run(() => unwrap(api.DELETE("/api/v1/integrations/m365"))).then(reload)
                    }
                  >
                    No refresh runs until the tenant is connected again, and the client secret is deleted.
                  </ConfirmButton>
                </div>
                {disconnect.problem === null ? null : <ProblemView problem={disconnect.problem} />}
              </Section>
            </>
          )
        }
      </Load>
    </>
  );
}
