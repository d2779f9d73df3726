import Link from "next/link";
import { describeAnomalyEffects, mainAnomalyCause, spendExplorerPath } from "@costgate/core";
import { Card, Table } from "@/components/ui";
import type { ResultOf } from "@/lib/api";
import { formatDate, formatMoneyPrecise } from "@/lib/format";
import type { OverviewQuery } from "@/lib/operations";

type Anomaly = ResultOf<typeof OverviewQuery>["spendAnomalies"][number];

/** Days of the last `days` whose spend left its expected range, each explained as price against volume. */
export const ANOMALY_DAYS = 14;

const DAY = 86_400_000;

export function AnomaliesCard({ anomalies }: { anomalies: Anomaly[] }) {
  return (
    <Card title={`Spend anomalies, last ${ANOMALY_DAYS} days`} id="anomalies">
      {anomalies.length === 0 ? (
        <p className="muted">No model&apos;s daily spend left its expected range in the last {ANOMALY_DAYS} days.</p>
      ) : (
        <>
          <p className="small muted">
            A day whose spend left the range expected from the same weekday of the weeks before, split into what a
            change of the price per inference made (a promotion, a re-measurement) and what a change of traffic made.
          </p>
          <Table
            cardOnMobile
            label="Spend anomalies"
            columns={[
              { label: "Day (UTC)" },
              { label: "Model" },
              { label: "Spend", className: "num" },
              { label: "Expected", className: "num" },
              { label: "Why" },
            ]}
          >
            {anomalies.map((a) => {
              const day = a.day.slice(0, 10);
              const cause = mainAnomalyCause(a);
              return (
                <tr key={`${a.model.id}-${day}`}>
                  <td>{formatDate(a.day)}</td>
                  <td>
                    <Link href={`/models/${a.model.id}`}>{a.model.name}</Link>
                    {a.version ? <span className="recipe">mostly served by v{a.version.number}</span> : null}
                  </td>
                  <td className="num">{formatMoneyPrecise(a.actualUsd)}</td>
                  <td className="num">{formatMoneyPrecise(a.expectedUsd)}</td>
                  <td>
                    {cause === "price" ? "Mostly price per inference" : "Mostly traffic"}
                    <span className="recipe">{describeAnomalyEffects(a)}</span>
                    <Link
                      className="small"
                      href={spendExplorerPath({
                        modelId: a.model.id,
                        from: day,
                        to: new Date(Date.parse(day) + DAY).toISOString().slice(0, 10),
                        groupBy: "VERSION",
                      })}
                    >
                      Explore spend
                    </Link>
                  </td>
                </tr>
              );
            })}
          </Table>
        </>
      )}
    </Card>
  );
}
