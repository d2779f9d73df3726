import type { Metadata } from "next";
import { Badge, Card, EmptyState, PageHeader, TableWrap } from "@/components/ui";
import { query } from "@/lib/api";
import { formatCount, formatMoney } from "@/lib/format";
import { HardwareProfilesQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { HardwareForm } from "./hardware-form";

export const metadata: Metadata = { title: "Hardware profiles" };

export default async function HardwarePage() {
  const [me, { hardwareProfiles }] = await Promise.all([getMe(), query(HardwareProfilesQuery)]);
  const canEdit = can(me.role, "manageHardware");
  return (
    <>
      <PageHeader
        title="Hardware profiles"
        lead="The machines versions are measured on, and their hourly price: $/1M inferences = hourly price / (throughput × 3600) × 1,000,000."
      />
      {hardwareProfiles.length === 0 ? (
        <Card>
          <EmptyState title="No hardware profiles" />
        </Card>
      ) : (
        <TableWrap label="Hardware profiles">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Per hour
                </th>
                <th scope="col" className="num">
                  vCPUs
                </th>
                <th scope="col" className="num">
                  Memory
                </th>
                <th scope="col" className="num">
                  Batch
                </th>
                <th scope="col">Price source</th>
              </tr>
            </thead>
            <tbody>
              {hardwareProfiles.map((h) => (
                <tr key={h.id}>
                  <td>
                    {h.name} {h.isDefault ? <Badge tone="info">Default</Badge> : null}
                    {h.description ? <span className="recipe">{h.description}</span> : null}
                  </td>
                  <td className="num">{formatMoney(h.hourlyPriceUsd)}</td>
                  <td className="num">{h.vcpus}</td>
                  <td className="num">{formatCount(h.memoryGiB, 1)} GiB</td>
                  <td className="num">{h.batchSize}</td>
                  <td className="small">{h.priceSource ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
      {canEdit ? (
        <Card title="Add or update a profile" id="edit-profile">
          <p className="small muted">A profile with the same name is updated.</p>
          <HardwareForm />
        </Card>
      ) : null}
    </>
  );
}
