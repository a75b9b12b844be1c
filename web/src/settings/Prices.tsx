/** Monthly licence prices, one per SKU the tenant has (from the published figures), each licence
 * right-sizing could move holders to (most are not held: without their price nothing is recommended), and
 * any already priced: they turn unused seats into money. */
import { Button, Field, Input, Text, makeStyles, tokens } from "@fluentui/react-components";
import { useState, type FormEvent } from "react";

import { ifMatch, unwrap, unwrapVersioned, type Api, type Schemas } from "../api/client";
import { useAction } from "../api/useAction";
import { useApi } from "../api/useApi";
import { useSignedIn } from "../auth/context";
import { DataTable } from "../components/DataTable";
import { Load, ProblemView } from "../components/states";
import { useSaveNotice, type SaveNotice } from "../components/saveNotice";
import { formatCount } from "../format";

const DEFAULT_CURRENCY = "GBP";

interface PriceRow {
  readonly skuId: string;
  readonly name: string;
  readonly seats: number | null;
  /** Not held, but a licence right-sizing could move holders to. */
  readonly target?: boolean;
  readonly currency: string;
  /** As typed; "" for no price. */
  readonly monthly: string;
}

interface Loaded {
  readonly rows: PriceRow[];
  readonly etag: string | null;
}

const useStyles = makeStyles({
  form: { display: "flex", flexDirection: "column", gap: tokens.spacingVerticalM },
  price: { maxWidth: "10rem" },
});

interface Published {
  readonly skus: readonly Schemas["SkuUtilisation"][];
  readonly targets: readonly Schemas["LicenceName"][];
}

/** The tenant's SKUs and right-sizing's target licences, when a refresh has published them (none before
 * the first refresh). */
async function published(api: Api): Promise<Published> {
  try {
    const utilisation = await unwrap(api.GET("/api/v1/insights/utilisation"));
    return { skus: utilisation.skus, targets: utilisation.rightsizing_targets ?? [] };
  } catch {
    return { skus: [], targets: [] };
  }
}

async function loadPrices(api: Api): Promise<Loaded> {
  const [{ data, etag }, { skus, targets }] = await Promise.all([
    unwrapVersioned(api.GET("/api/v1/metadata/prices")),
    published(api),
  ]);
  const prices = data.prices ?? {};
  const rows: PriceRow[] = skus
    .filter((sku) => !sku.free)
    .map((sku) => ({
      skuId: sku.sku_id.toLowerCase(),
      name: sku.name,
      seats: sku.purchased,
      currency: prices[sku.sku_id.toLowerCase()]?.currency ?? DEFAULT_CURRENCY,
      monthly: String(prices[sku.sku_id.toLowerCase()]?.monthly ?? ""),
    }));
  const listed = new Set(rows.map((row) => row.skuId));
  for (const target of targets) {
    const skuId = target.sku_id.toLowerCase();
    if (!listed.has(skuId)) {
      listed.add(skuId);
      rows.push({
        skuId,
        name: target.name,
        seats: null,
        target: true,
        currency: prices[skuId]?.currency ?? DEFAULT_CURRENCY,
        monthly: String(prices[skuId]?.monthly ?? ""),
      });
    }
  }
  for (const [skuId, price] of Object.entries(prices)) {
    if (!listed.has(skuId)) {
      rows.push({
        skuId,
        name: skuId,
        seats: null,
        currency: price.currency,
        monthly: String(price.monthly),
      });
    }
  }
  return { rows, etag };
}

function PriceForm({ loaded, notice, onSaved }: { loaded: Loaded; notice: SaveNotice; onSaved: () => void }) {
  const styles = useStyles();
  const { api } = useSignedIn();
  const [rows, setRows] = useState(loaded.rows);
  const action = useAction();

  async function save(event: FormEvent) {
    event.preventDefault();
    notice.saving();
    const prices = Object.fromEntries(
      rows
        .filter((row) => row.monthly.trim() !== "")
        .map((row) => [row.skuId, { currency: row.currency, monthly: Number(row.monthly) }]),
    );
    const done = await action.run(() =>
      unwrap(
        api.PUT("/api/v1/metadata/prices", { params: { header: ifMatch(loaded.etag) }, body: { prices } }),
      ),
    );
    if (done.ok) {
      notice.done();
      onSaved();
    }
  }

  if (rows.length === 0) {
    return <Text>The tenant's licences appear here after its first refresh.</Text>;
  }
  return (
    <form className={styles.form} onSubmit={save} noValidate>
      <DataTable
        label="Monthly price per licence"
        testId="prices"
        headers={["Licence", "Seats bought", "Monthly price per seat"]}
        numeric={[1]}
        rows={rows.map((row, index) => ({
          key: row.skuId,
          cells: [
            row.name,
            row.target ? "None (a right-sizing target)" : row.seats === null ? "" : formatCount(row.seats),
            <Field key="price" className={styles.price}>
              <Input
                aria-label={`Monthly price of ${row.name} (${row.currency})`}
                inputMode="decimal"
                type="number"
                min={0}
                step="0.01"
                contentAfter={row.currency}
                value={row.monthly}
                onChange={(_, data) =>
                  setRows(rows.map((other, at) => (at === index ? { ...other, monthly: data.value } : other)))
                }
              />
            </Field>,
          ],
        }))}
      />
      <div>
        <Button appearance="primary" type="submit" disabled={action.busy}>
          Save prices
        </Button>
      </div>
      {notice.saved ? <Text data-testid="prices-saved">Prices saved.</Text> : null}
      {action.problem === null ? null : <ProblemView problem={action.problem} />}
    </form>
  );
}

export function PriceEditor({ onSaved = () => undefined }: { onSaved?: () => void }) {
  const { api } = useSignedIn();
  const [loaded, reload] = useApi(() => loadPrices(api), [api]);
  const notice = useSaveNotice();
  return (
    <Load loaded={loaded} label="Loading prices" onRetry={reload}>
      {(data) => (
        <PriceForm
          key={data.etag ?? ""}
          loaded={data}
          notice={notice}
          onSaved={() => {
            reload();
            onSaved();
          }}
        />
      )}
    </Load>
  );
}
