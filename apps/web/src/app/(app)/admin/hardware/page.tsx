import type { Metadata } from "next";
import { Badge, Card, EmptyState, PageHeader, Table } from "@/components/ui";
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
        <Table
          cardOnMobile
          label="Hardware profiles"
          columns={[
            { label: "Name" },
            { label: "Per hour", className: "num" },
            { label: "vCPUs", className: "num" },
            { label: "Memory", className: "num" },
            { label: "Batch", className: "num" },
            { label: "Price source" },
          ]}
        >
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
        </Table>
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
