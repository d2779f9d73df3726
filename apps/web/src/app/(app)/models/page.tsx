import type { Metadata } from "next";
import Link from "next/link";
import { Pager } from "@/components/pager";
import { Card, EmptyState, PageHeader, Table } from "@/components/ui";
import { query } from "@/lib/api";
import { CostFigure } from "@/components/cost";
import { formatDate, formatMetric, humanize } from "@/lib/format";
import { ModelsQuery, TeamsQuery } from "@/lib/operations";
import { can } from "@/lib/permissions";
import { getMe } from "@/lib/session";
import { NewModelForm } from "./new-model-form";
import { SearchBox } from "./search-box";

export const metadata: Metadata = { title: "Models" };

const PAGE_SIZE = 20;

export default async function ModelsPage({ searchParams }: { searchParams: Promise<{ q?: string; after?: string }> }) {
  const { q = "", after } = await searchParams;
  const me = await getMe();
  const canCreate = can(me.role, "manageModels");
  const [{ models }, teams] = await Promise.all([
    query(ModelsQuery, { search: q.trim() || null, first: PAGE_SIZE, after: after || null }),
    canCreate ? query(TeamsQuery).then((r) => r.teams) : Promise.resolve([]),
  ]);
  const rows = models.edges.map((e) => e.node);

  return (
    <>
      <PageHeader
        title="Models"
        lead="Every registered model, its production version and what one million inferences of it cost."
      />
      <Card>
        <form role="search" method="get" action="/models" className="inline-form">
          <SearchBox initial={q} />
          <button type="submit" className="button">
            Search
          </button>
          {q ? (
            <Link href="/models" className="button">
              Clear
            </Link>
          ) : null}
        </form>
      </Card>

      {rows.length === 0 ? (
        <Card>
          <EmptyState title={q ? `No model matches “${q}”` : "No models yet"}>
            {q ? (
              <p>Try another name, or clear the search.</p>
            ) : (
              <p>
                {canCreate
                  ? "Create one below, then upload its first version."
                  : "An ML engineer registers models here."}
              </p>
            )}
          </EmptyState>
        </Card>
      ) : (
        <>
          <Table
            cardOnMobile
            label="Models"
            caption={
              <>
                {models.totalCount} model{models.totalCount === 1 ? "" : "s"}
                {q ? ` matching “${q}”` : ""}
                {after ? " (later page)" : ""}
              </>
            }
            columns={[
              { label: "Name" },
              { label: "Team" },
              { label: "Task" },
              { label: "Versions", className: "num" },
              { label: "Production" },
              { label: "Metric" },
              { label: "$/1M inferences", className: "num" },
              { label: "Created" },
            ]}
          >
            {rows.map((m) => (
              <tr key={m.id}>
                <td>
                  <Link href={`/models/${m.id}`}>{m.name}</Link>
                  {m.description ? <span className="recipe">{m.description}</span> : null}
                </td>
                <td>{m.team.name}</td>
                <td>{humanize(m.task)}</td>
                <td className="num">{m.versions.totalCount}</td>
                <td>{m.productionVersion ? `v${m.productionVersion.number}` : <span className="muted">none</span>}</td>
                <td>
                  {m.productionVersion?.evaluation
                    ? `${formatMetric(m.productionVersion.evaluation.metric, m.productionVersion.evaluation.value)} ${m.productionVersion.evaluation.metric}`
                    : "—"}
                </td>
                <td className="num">
                  {m.productionVersion?.cost ? <CostFigure cost={m.productionVersion.cost} /> : "—"}
                </td>
                <td className="nowrap">{formatDate(m.createdAt)}</td>
              </tr>
            ))}
          </Table>
          <Pager path="/models" params={{ q }} after={after} pageInfo={models.pageInfo} />
        </>
      )}

      {canCreate ? (
        <Card title="New model" id="new-model">
          <NewModelForm teams={teams} defaultTeamId={me.team?.id ?? (teams.length === 1 ? teams[0]!.id : "")} />
        </Card>
      ) : null}
    </>
  );
}
