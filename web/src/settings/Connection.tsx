/** Connecting the Microsoft 365 tenant: the form (the secret is write-only: sent once, never shown or
 * read back) and each Graph permission as the API's connection test found it. */
import { Badge, Button, Field, Input, Link, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import { ifMatch, unwrap, unwrapVersioned, type Schemas } from "../api/client";
import { useAction } from "../api/useAction";
import { useSignedIn } from "../auth/context";
import { DataTable } from "../components/DataTable";
import { ProblemView } from "../components/states";

/** Microsoft's steps to register an application; the permissions to grant are in the README ("Microsoft
 * Graph permissions") and in the connection test's result. */
const REGISTER_AN_APP = "https://learn.microsoft.com/entra/identity-platform/quickstart-register-app";

const STATUS_COLOUR = {
  granted: "success",
  missing: "danger",
  unlicensed: "warning",
  unknown: "subtle",
} as const;

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM, maxWidth: "36rem" },
});

export function Permissions({ permissions }: { permissions: readonly Schemas["PermissionCheck"][] }) {
  return (
    <DataTable
      label="Graph permissions"
      testId="permissions"
      headers={["Permission", "Needed for", "Required", "Status", "Detail"]}
      rows={permissions.map((check) => ({
        key: check.permission,
        cells: [
          check.permission,
          check.purpose,
          check.required ? "Required" : "Optional",
          <Badge key="status" appearance="tint" color={STATUS_COLOUR[check.status]}>
            {check.status}
          </Badge>,
          check.detail ?? "",
        ],
      }))}
    />
  );
}

export function ConnectForm({
  onConnected,
}: {
  onConnected: (integration: Schemas["IntegrationView"]) => void;
}) {
  const styles = useStyles();
  const { api } = useSignedIn();
  const [fields, setFields] = useState({ tenant_id: "", client_id: "", client_secret: "" });
  const action = useAction();

  async function connect(event: FormEvent) {
    event.preventDefault();
    const connected = await action.run(async () => {
      const { etag } = await unwrapVersioned(api.GET("/api/v1/integrations/m365"));
      return unwrap(
        api.PUT("/api/v1/integrations/m365", { params: { header: ifMatch(etag) }, body: fields }),
      );
    });
    // The secret is not kept in the page once it has been sent.
    setFields({ ...fields, client_secret: "" });
    if (connected.ok) {
      onConnected(connected.value);
    }
  }

  const field = (name: keyof typeof fields, label: string, hint: string) => (
    <Field label={label} hint={hint} required>
      <Input
        name={name}
        type={name === "client_secret" ? "password" : "text"}
        autoComplete="off"
        value={fields[name]}
        onChange={(_, data) => setFields({ ...fields, [name]: data.value.trim() })}
      />
    </Field>
  );

  return (
    <form className={styles.form} onSubmit={connect} noValidate>
      <Text>
        <Link href={REGISTER_AN_APP} target="_blank" rel="noreferrer">
          Register an application in Microsoft Entra ID
        </Link>
        , add a client secret, and grant admin consent to the read-only Microsoft Graph application
        permissions listed in the README (User.Read.All, Organization.Read.All, Reports.Read.All, …).
        Insight365 tests the connection before it stores anything, and shows which permissions it found.
      </Text>
      {field("tenant_id", "Tenant ID", "The directory (tenant) ID, a GUID")}
      {field("client_id", "Client ID", "The application (client) ID of the app registration")}
      {field(
        "client_secret",
        "Client secret",
        "The secret's Value (not its Secret ID); it is never shown again",
      )}
      <div>
        <Button appearance="primary" type="submit" disabled={action.busy}>
          {action.busy ? "Testing the connection…" : "Connect"}
        </Button>
      </div>
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
    </form>
  );
}
