import type { Metadata } from "next";
import { AutoRefresh } from "@/components/auto-refresh";
import { ComparisonNote, CostFigure, costText } from "@/components/cost";
import { Card, EmptyState, PageHeader, StatusBadge, Table } from "@/components/ui";
import { query, type ResultOf } from "@/lib/api";
import {
  describeComparison,
  describeSpeed,
  formatBytes,
  formatCount,
  formatDate,
  formatDateTime,
  formatHourly,
  formatMetric,
  formatMs,
  formatPerMillion,
  formatThroughput,
  formatUncertainty,
  humanize,
} from "@/lib/format";
import { MeasureProfilesQuery, ModelQuery, ModelTitleQuery } from "@/lib/operations";
import { effectiveCosts, latestMeasurement } from "@costgate/core";
import Link from "next/link";
import { higherIsBetter, paretoFrontier } from "@/lib/pareto";
import { can } from "@/lib/permissions";
import { describeRecipe } from "@/lib/recipe";
import { getMe } from "@/lib/session";
import { notFound } from "next/navigation";
import { ReevaluateButton, RemeasureButton, type ProfileChoice } from "./measure-again";
import { ClassNames } from "./class-names";
import { ParetoChart } from "./pareto-chart";
import { PromoteButton } from "@/components/promote-button";
import { UploadPanel } from "./upload-panel";
import { labelsText, preprocessingText } from "@/lib/datasets";

/** Thumbnails shown per image dataset. */
const THUMBNAILS = 8;

type Version = NonNullable<ResultOf<typeof ModelQuery>["model"]>["versions"]["edges"][number]["node"];

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const { model } = await query(ModelTitleQuery, { id });
  return { title: model?.name ?? "Model" };
}

type Cost = Version["costs"][number];

/** A version's current cost on a profile: its newest measurement there (core's latestMeasurement rule). */
function costOn(v: Version, profileId: string): Cost | null {
  const newest = latestMeasurement(
    v.costs.filter((c) => c.hardwareProfile.id === profileId).map((c) => ({ c, measuredAt: new Date(c.measuredAt) })),
  );
  return newest?.c ?? null;
}

export default async function ModelPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ profile?: string }>;
}) {
  const { id } = await params;
  const { profile: askedProfile } = await searchParams;
  const me = await getMe();
  const canMeasure = can(me.role, "measureAgain");
  const [{ model }, profiles] = await Promise.all([
    query(ModelQuery, { id }),
    canMeasure ? query(MeasureProfilesQuery).then((r) => r.hardwareProfiles) : Promise.resolve([] as ProfileChoice[]),
  ]);
  if (!model) notFound();
  const versions = model.versions.edges.map((e) => e.node).sort((a, b) => a.number - b.number);
  const canUpload = can(me.role, "upload");
  const canPromote = can(me.role, "promote");
  const pending = versions.some((v) => v.status === "PENDING");
  const metricName =
    versions.find((v) => v.evaluation)?.evaluation?.metric ?? (model.task === "REGRESSION" ? "mse" : "accuracy");
  // The hardware profiles with measurements; the cost view shows one (the default profile's unless asked).
  const measuredProfiles = [
    ...new Map(
      versions.flatMap((v) => v.costs.map((c) => [c.hardwareProfile.id, c.hardwareProfile] as const)),
    ).values(),
  ];
  const defaultProfile = versions.find((v) => v.cost)?.cost?.hardwareProfile;
  const viewProfile = measuredProfiles.find((p) => p.id === askedProfile) ?? defaultProfile ?? measuredProfiles[0];
  const shown = new Map(
    versions.map((v) => [
      v.id,
      viewProfile && viewProfile.id !== defaultProfile?.id ? costOn(v, viewProfile.id) : v.cost,
    ]),
  );
  const points = versions
    .filter((v) => v.evaluation && shown.get(v.id))
    .map((v) => ({
      id: v.id,
      number: v.number,
      source: v.source,
      cost: Number(shown.get(v.id)!.costPerMillionUsd),
      uncertainty: shown.get(v.id)!.uncertainty ?? null,
      metric: v.evaluation!.value,
      stage: v.stage,
    }));
  // Versions the accuracy guardrail rejected are plotted but are no candidates for the frontier,
  // and a version whose only saving against its parent is noise counts with its parent's cost
  // (core's effectiveCosts, the rule a job's best pick follows): it never dominates its parent.
  const effective = effectiveCosts(
    versions.map((v) => ({
      id: v.id,
      parentId: v.parent?.id ?? null,
      costPerMillionUsd: shown.get(v.id)?.costPerMillionUsd ?? null,
      comparison: v.comparedToParent ? { significant: v.comparedToParent.significant } : null,
    })),
  );
  const frontier = paretoFrontier(
    points.filter((p) => p.stage !== "REJECTED").map((p) => ({ ...p, cost: Number(effective.get(p.id) ?? p.cost) })),
    higherIsBetter(metricName),
  ).map((f) => points.find((p) => p.id === f.id)!);
  const frontierIds = new Set(frontier.map((p) => p.id));
  const showActions = canPromote || canMeasure;

  const rollbackTarget = [...versions].reverse().find((v) => v.stage === "ARCHIVED" && v.status === "READY") ?? null;
  // A model with no READY version yet starts with the upload forms, not below cards with nothing in
  // them yet (still so while its first upload is PENDING, so the upload's message stays in place).
  const uploadFirst = !versions.some((v) => v.status === "READY");
  const uploadCard = canUpload ? (
    <Card title="Upload" id="upload">
      <UploadPanel modelId={model.id} versions={versions.map((v) => ({ number: v.number, status: v.status }))} />
    </Card>
  ) : null;
  return (
    <>
      <AutoRefresh active={pending} intervalMs={3000} />
      <PageHeader
        title={model.name}
        breadcrumb={{ href: "/models", label: "Models" }}
        lead={
          <>
            {humanize(model.task)} model of {model.team.name}
            {model.description ? ` — ${model.description}` : ""}. Production:{" "}
            {model.productionVersion ? `v${model.productionVersion.number}` : "none yet"}.
          </>
        }
      />
      {model.classNames ? <ClassNames names={model.classNames} /> : null}
      {uploadFirst ? uploadCard : null}

      <Card title="Versions" id="versions">
        {versions.length === 0 ? (
          <EmptyState title="No versions yet">
            <p>
              {canUpload
                ? "Upload the datasets, then the model files (model.json and its weight files)."
                : "An ML engineer uploads versions here."}
            </p>
          </EmptyState>
        ) : (
          <>
            {measuredProfiles.length > 1 ? (
              <nav aria-label="Cost view: hardware profile" className="inline-form" style={{ marginBottom: "0.6rem" }}>
                <span className="small muted">Cost on:</span>
                {measuredProfiles.map((p) => (
                  <Link
                    key={p.id}
                    href={`/models/${model.id}?profile=${encodeURIComponent(p.id)}#versions`}
                    className={`button small${p.id === viewProfile?.id ? " primary" : ""}`}
                    aria-current={p.id === viewProfile?.id ? "true" : undefined}
                  >
                    {p.name} ({formatHourly(p.hourlyPriceUsd)})
                  </Link>
                ))}
              </nav>
            ) : null}
            <Table
              cardOnMobile
              label="Versions"
              className="compact"
              caption={
                <>
                  {pending
                    ? "Versions marked Pending are being evaluated and measured; this page updates by itself. "
                    : ""}
                  $/1M, p50 and throughput as last measured on{" "}
                  {viewProfile
                    ? `${viewProfile.name} (${formatHourly(viewProfile.hourlyPriceUsd)})${viewProfile.id === defaultProfile?.id ? ", the default hardware profile" : ""}`
                    : "the default hardware profile"}
                  ; ± is that measurement&apos;s own 95% interval; each $/1M links to how it was measured. “vs parent”
                  is the version measured alternately with its parent in one session (the machine&apos;s load affects
                  both alike): it decides whether a step saves, and says “No measurable saving” when the 95% interval of
                  the ratio includes 1×.
                </>
              }
              columns={[
                { label: "Version" },
                { label: "Source" },
                { label: "Stage" },
                { label: "Status" },
                {
                  label:
                    metricName === "accuracy"
                      ? "Accuracy"
                      : metricName === "agreement"
                        ? "Agreement with source"
                        : metricName,
                  className: "num",
                },
                { label: "Size", className: "num" },
                { label: "p50", className: "num" },
                { label: "Throughput", className: "num" },
                { label: "$/1M", className: "num" },
                { label: "vs parent" },
                ...(showActions ? [{ label: "Actions" }] : []),
              ]}
            >
              {[...versions].reverse().map((v) => (
                <VersionRow
                  key={v.id}
                  v={v}
                  modelId={model.id}
                  canPromote={canPromote}
                  canMeasure={canMeasure}
                  profiles={profiles}
                  isAdmin={me.role === "ADMIN"}
                  onFrontier={frontierIds.has(v.id)}
                  cost={shown.get(v.id) ?? null}
                  rollbackTo={v.stage === "PRODUCTION" ? rollbackTarget : null}
                />
              ))}
            </Table>
          </>
        )}
      </Card>

      <div className="grid">
        <Card title="Cost against quality" id="pareto">
          {points.length === 0 ? (
            <EmptyState title="Nothing measured yet">
              <p>Versions appear here once evaluated and measured.</p>
            </EmptyState>
          ) : (
            <>
              <ParetoChart
                points={points}
                frontierIds={frontier.map((p) => p.id)}
                metric={metricName}
                profileName={viewProfile?.name ?? null}
              />
              <p className="small muted">
                Pareto frontier (no other version is both cheaper and{" "}
                {higherIsBetter(metricName) ? "more accurate" : "lower in error"}; rejected versions left out):{" "}
                {frontier
                  .map(
                    (p) =>
                      `v${p.number} (${costText({ costPerMillionUsd: p.cost, uncertainty: p.uncertainty })}, ${formatMetric(metricName, p.metric)})`,
                  )
                  .join(", ")}
                .
              </p>
            </>
          )}
        </Card>
        <Card title="Lineage" id="lineage">
          {versions.length === 0 ? <p className="muted">No versions yet.</p> : <Lineage versions={versions} />}
        </Card>
      </div>

      <Card title="Cost measurements" id="measurements">
        {versions.every((v) => v.costs.length === 0) ? (
          <p className="muted">
            Nothing measured yet. Each version is measured on the hardware of the worker that benchmarks it.
          </p>
        ) : (
          <Measurements versions={versions} />
        )}
      </Card>

      <Card title="Datasets" id="datasets">
        {model.datasets.length === 0 ? (
          <p className="muted">
            No datasets yet. Evaluation needs an Evaluation dataset; fine-tuning needs a Train dataset (a CSV, or an
            archive of images).
          </p>
        ) : (
          <Table
            cardOnMobile
            label="Datasets"
            columns={[
              { label: "Name" },
              { label: "Role" },
              { label: "Format" },
              { label: "Rows", className: "num" },
              { label: "Labels" },
              { label: "Preprocessing" },
              { label: "Size", className: "num" },
              { label: "Added" },
            ]}
          >
            {model.datasets.map((d) => (
              <tr key={d.id}>
                <td>{d.name}</td>
                <td>{humanize(d.role)}</td>
                <td>{d.format === "images" ? "Images" : "CSV"}</td>
                <td className="num">{formatCount(d.rows)}</td>
                <td>{labelsText(d.labels)}</td>
                <td>{preprocessingText(d.preprocessing)}</td>
                <td className="num">{formatBytes(d.artifact.sizeBytes)}</td>
                <td className="nowrap">{formatDate(d.createdAt)}</td>
              </tr>
            ))}
          </Table>
        )}
        {model.datasets
          .filter((d) => d.format === "images")
          .map((d) => (
            <figure key={d.id} className="thumbnails">
              <figcaption className="small muted">
                {d.name}: the first images as the workers read them (decoded at the model&apos;s input size)
              </figcaption>
              <ul>
                {Array.from({ length: Math.min(d.rows, THUMBNAILS) }, (_, n) => (
                  <li key={n}>
                    <img
                      src={`/api/datasets/${d.id}/thumbnails/${n}`}
                      alt={`${d.name}, image ${n + 1}`}
                      width={56}
                      height={56}
                      loading="lazy"
                    />
                  </li>
                ))}
              </ul>
            </figure>
          ))}
      </Card>

      {uploadFirst ? null : uploadCard}
    </>
  );
}

function VersionRow({
  v,
  modelId,
  canPromote,
  canMeasure,
  profiles,
  isAdmin,
  onFrontier,
  rollbackTo,
  cost,
}: {
  v: Version;
  /** The measurement the cost view shows (the chosen profile's newest). */
  cost: Cost | null;
  modelId: string;
  canPromote: boolean;
  canMeasure: boolean;
  profiles: ProfileChoice[];
  isAdmin: boolean;
  onFrontier: boolean;
  /** On the PRODUCTION row: the newest READY archived version (the one before it, as a rule). */
  rollbackTo: Version | null;
}) {
  const ready = v.status === "READY";
  return (
    <tr id={`version-${v.number}`}>
      <td>v{v.number}</td>
      <td>
        {humanize(v.source)}
        {v.parent ? <span className="recipe">from v{v.parent.number}</span> : null}
        {onFrontier ? <span className="recipe frontier">On the Pareto frontier</span> : null}
      </td>
      <td>
        <StatusBadge value={v.stage} />
      </td>
      <td>
        <StatusBadge value={v.status} />
        {v.statusMessage ? <span className="recipe">{v.statusMessage}</span> : null}
      </td>
      <td className="num">{v.evaluation ? formatMetric(v.evaluation.metric, v.evaluation.value) : "—"}</td>
      <td className="num">{formatBytes(cost?.modelSizeBytes ?? v.artifact.sizeBytes)}</td>
      <td className="num">{formatMs(cost?.latencyP50Ms)}</td>
      <td className="num">{formatThroughput(cost?.throughputPerSecond)}</td>
      <td className="num">
        <CostFigure cost={cost} measuredHref={cost ? `#measurement-${cost.id}` : undefined} />
      </td>
      <td>
        {v.comparedToParent ? (
          <ComparisonNote comparison={v.comparedToParent} />
        ) : v.parent ? (
          <span className="small muted">
            {v.status === "PENDING" ? "Being measured" : "Not paired: measured before paired measurements"}
          </span>
        ) : (
          <span className="small muted">Upload</span>
        )}
      </td>
      {canPromote || canMeasure ? (
        <td>
          <div className="actions-cell">
            {canPromote && ready && v.stage !== "PRODUCTION" ? (
              <PromoteButton
                modelId={modelId}
                versionId={v.id}
                number={v.number}
                isAdmin={isAdmin}
                costLine={promoteCostLine(v)}
                warning={
                  v.stage === "REJECTED"
                    ? `The accuracy guardrail rejected v${v.number}${v.statusMessage ? ` (${v.statusMessage})` : ""}: it is less accurate than its policy allows. Promote it only if you accept that.`
                    : null
                }
              />
            ) : null}
            {canPromote && v.stage === "PRODUCTION" ? (
              <>
                {rollbackTo ? (
                  <PromoteButton
                    modelId={modelId}
                    versionId={rollbackTo.id}
                    number={rollbackTo.number}
                    isAdmin={isAdmin}
                    label={`Roll back to v${rollbackTo.number}`}
                    dialogTitle={`Roll back to version ${rollbackTo.number}`}
                    costLine={promoteCostLine(rollbackTo)}
                  />
                ) : null}
                <PromoteButton
                  modelId={modelId}
                  versionId={v.id}
                  number={v.number}
                  isAdmin={isAdmin}
                  label="Archive"
                  initialStage="ARCHIVED"
                  dialogTitle={`Take version ${v.number} out of production`}
                />
              </>
            ) : null}
            {canMeasure && ready ? (
              <>
                <RemeasureButton
                  modelId={modelId}
                  versionId={v.id}
                  number={v.number}
                  profiles={profiles}
                  measurements={v.costs.length}
                />
                <ReevaluateButton modelId={modelId} versionId={v.id} evaluatedAt={v.evaluation?.evaluatedAt ?? null} />
              </>
            ) : null}
          </div>
        </td>
      ) : null}
    </tr>
  );
}

/** What the promotion dialog says about the version's cost: its $/1M, how it was measured, and whether it saves anything measurable. */
function promoteCostLine(
  v: Version,
): { cost: string; measured: string; comparison: string | null; noSaving: boolean } | null {
  if (!v.cost) return null;
  const c = v.comparedToParent;
  const d = c ? describeComparison(c) : null;
  return {
    cost: costText(v.cost),
    measured: `${v.cost.hardwareProfile.name} (${formatHourly(v.cost.hardwareProfile.hourlyPriceUsd)}), ${v.cost.backend}, batch ${v.cost.batchSize}`,
    comparison: c && d ? `Against v${c.parent.number}: ${d.text}${d.costChange ? ` (${d.costChange})` : ""}.` : null,
    noSaving: d?.verdict === "none",
  };
}

/** Every cost measurement of every version, newest version first: what each $/1M was measured with. */
function Measurements({ versions }: { versions: Version[] }) {
  const rows = [...versions]
    .reverse()
    .flatMap((v) => v.costs.map((c, i) => ({ v, c, latest: i === 0, count: v.costs.length })));
  return (
    <>
      <p className="small muted" style={{ marginTop: 0 }}>
        $/1M = hourly price ÷ (throughput × 3,600) × 1,000,000, with throughput measured at the profile&apos;s batch
        size after a warm-up. ± is the 95% interval of that throughput, so of the $/1M too. Re-measuring adds a row; the
        newest on each profile is the one used.
      </p>
      <Table
        cardOnMobile
        label="Cost measurements"
        columns={[
          { label: "Version" },
          { label: "Measured" },
          { label: "Hardware" },
          { label: "Backend" },
          { label: "Batch", className: "num" },
          { label: "Timed runs", className: "num" },
          { label: "Throughput", className: "num" },
          { label: "±", className: "num" },
          { label: "$/1M", className: "num" },
        ]}
      >
        {rows.map(({ v, c, latest, count }) => (
          <tr key={c.id} id={`measurement-${c.id}`}>
            <td>
              v{v.number}
              {count > 1 ? <span className="recipe">{latest ? `latest of ${count}` : "earlier"}</span> : null}
            </td>
            <td className="nowrap">{formatDateTime(c.measuredAt)}</td>
            <td>
              {c.hardwareProfile.name}
              <span className="recipe">{formatHourly(c.hardwareProfile.hourlyPriceUsd)}</span>
            </td>
            <td>{c.backend}</td>
            <td className="num">{formatCount(c.batchSize)}</td>
            <td className="num">
              {formatCount(c.runs)}
              {c.disturbedRounds ? (
                <span className="recipe">{`${c.disturbedRounds} round${c.disturbedRounds === 1 ? "" : "s"} re-run (CPU busy)`}</span>
              ) : null}
            </td>
            <td className="num">
              {formatThroughput(c.throughputPerSecond)}
              {c.speedFactor != null ? (
                <span className="recipe" title={describeSpeed(c.speedFactor)}>
                  {`machine at ${Math.round(c.speedFactor * 100)}%`}
                </span>
              ) : null}
            </td>
            <td className="num">{formatUncertainty(c.uncertainty) || <span className="muted">not recorded</span>}</td>
            <td className="num">{formatPerMillion(c.costPerMillionUsd)}</td>
          </tr>
        ))}
      </Table>
    </>
  );
}

function Lineage({ versions }: { versions: Version[] }) {
  const byParent = new Map<string | null, Version[]>();
  const ids = new Set(versions.map((v) => v.id));
  for (const v of versions) {
    const key = v.parent && ids.has(v.parent.id) ? v.parent.id : null;
    byParent.set(key, [...(byParent.get(key) ?? []), v]);
  }
  const render = (parent: string | null, depth: number): React.ReactNode => {
    const children = byParent.get(parent) ?? [];
    if (!children.length || depth > 30) return null;
    return (
      <ul className={depth === 0 ? "tree" : undefined}>
        {children.map((v) => (
          <li key={v.id}>
            <span className="node">
              <strong>v{v.number}</strong>
              <span>{humanize(v.source)}</span>
              <StatusBadge value={v.stage} />
              {v.evaluation ? (
                <span className="small">{formatMetric(v.evaluation.metric, v.evaluation.value)}</span>
              ) : null}
              {v.cost ? <span className="small">{costText(v.cost, "/1M")}</span> : null}
              {v.comparedToParent && !v.comparedToParent.significant ? (
                <span className="small muted">no measurable saving</span>
              ) : null}
            </span>
            {v.source !== "UPLOAD" || v.recipe ? (
              <span className="recipe">{describeRecipe(v.source, v.recipe)}</span>
            ) : null}
            {render(v.id, depth + 1)}
          </li>
        ))}
      </ul>
    );
  };
  return <>{render(null, 0)}</>;
}
