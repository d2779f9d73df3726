/**
 * Channel analysis for structured pruning.
 *
 * Every channel (unit of a Dense, filter of a Conv) that a layer produces becomes a
 * node. Each tensor in the model is described by the node behind each position of its
 * last axis (after a Flatten, by the node behind every flattened position). Layers that
 * only move channels around pass the description through; Add-like merges tie the
 * channels they combine (union-find), Concatenate lays descriptions side by side
 * (offsets). A set of producers whose channels are tied together is a group: it is
 * pruned with one shared decision per tied channel, or left alone as a whole with the
 * reasons (a model input or output in the group, a layer this module does not know how
 * to slice, ...). Pure bookkeeping: no tensors here.
 */

/** Describes the last axis of a tensor: node id per position, or null when unknown. */
export type Channels = Int32Array | null;

export type ProducerKind = "Dense" | "Conv1D" | "Conv2D" | "SeparableConv2D";

export interface LayerSpec {
  readonly name: string;
  readonly className: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** Inbound tensors (of every call when the layer is shared). */
  readonly inbound: readonly InboundRef[];
  /** Called more than once: one set of weights serves several tensors. */
  readonly shared: boolean;
  /** Output shape including the batch axis, or null when tfjs cannot tell one. */
  readonly outputShape: readonly (number | null)[] | null;
}

export interface InboundRef {
  readonly layer: string;
  readonly nodeIndex: number;
  readonly tensorIndex: number;
}

export interface LayerChannels {
  readonly name: string;
  readonly className: string;
  readonly inputs: Channels[];
  readonly output: Channels;
  /** Set for producers: the source index of its own units/filters. */
  readonly source: number | null;
}

interface SourceInfo {
  readonly name: string;
  readonly className: string;
  readonly size: number;
  /** false for model inputs and for the outputs of layers we cannot see through. */
  readonly prunable: boolean;
  readonly firstNode: number;
}

export interface ChannelGraph {
  readonly layers: Map<string, LayerChannels>;
  readonly sources: SourceInfo[];
  readonly nodeSource: number[];
  readonly nodeIndex: number[];
  /** Why a node may not be removed (first reason wins). */
  readonly blocked: Map<number, string>;
  /** Merge layers (Add, Concatenate on a non-channel axis, ...) and one node they tied. */
  readonly ties: { layer: string; node: number }[];
  find(node: number): number;
}

const PRODUCERS = new Set<string>(["Dense", "Conv1D", "Conv2D", "SeparableConv2D"]);

const ELEMENTWISE_MERGES = new Set<string>(["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]);

/** Layers whose output channel c depends only on input channel c (or that ignore channels). */
const PASS_THROUGH = new Set<string>([
  "Activation",
  "ReLU",
  "ELU",
  "LeakyReLU",
  "ThresholdedReLU",
  "Dropout",
  "SpatialDropout1D",
  "GaussianNoise",
  "GaussianDropout",
  "AlphaDropout",
  "MaxPooling1D",
  "MaxPooling2D",
  "AveragePooling1D",
  "AveragePooling2D",
  "GlobalAveragePooling1D",
  "GlobalAveragePooling2D",
  "GlobalMaxPooling1D",
  "GlobalMaxPooling2D",
  "ZeroPadding2D",
  "Cropping2D",
  "UpSampling2D",
]);

export function isProducerClass(className: string): className is ProducerKind {
  return PRODUCERS.has(className);
}

function channelsLast(config: Readonly<Record<string, unknown>>): boolean {
  const fmt = config["data_format"];
  return fmt === undefined || fmt === null || fmt === "channels_last";
}

function lastDim(shape: readonly (number | null)[] | null): number | null {
  if (!shape || shape.length === 0) return null;
  const d = shape[shape.length - 1];
  return typeof d === "number" ? d : null;
}

export function buildChannelGraph(
  specs: readonly LayerSpec[],
  outputs: readonly InboundRef[],
  producerSize: (spec: LayerSpec) => number,
): ChannelGraph {
  const sources: SourceInfo[] = [];
  const nodeSource: number[] = [];
  const nodeIndex: number[] = [];
  const parent: number[] = [];
  const blocked = new Map<number, string>();
  const ties: { layer: string; node: number }[] = [];
  const layers = new Map<string, LayerChannels>();
  const shapes = new Map<string, readonly (number | null)[] | null>();

  const find = (n: number): number => {
    let r = n;
    while (parent[r] !== r) r = parent[r] as number;
    let c = n;
    while (parent[c] !== r) {
      const next = parent[c] as number;
      parent[c] = r;
      c = next;
    }
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const newSource = (name: string, className: string, size: number, prunable: boolean): number => {
    const id = sources.length;
    sources.push({ name, className, size, prunable, firstNode: nodeSource.length });
    for (let i = 0; i < size; i++) {
      const n = nodeSource.length;
      nodeSource.push(id);
      nodeIndex.push(i);
      parent.push(n);
    }
    return id;
  };
  const nodesOf = (source: number): Int32Array => {
    const s = sources[source] as SourceInfo;
    const out = new Int32Array(s.size);
    for (let i = 0; i < s.size; i++) out[i] = s.firstNode + i;
    return out;
  };
  const block = (ch: Channels, reason: string): void => {
    if (!ch) return;
    for (const n of ch) if (!blocked.has(n)) blocked.set(n, reason);
  };
  /** Output of a layer we cannot see through: fresh channels nobody may remove. */
  const opaque = (spec: LayerSpec, inputs: Channels[], why: string): Channels => {
    for (const ch of inputs) block(ch, why);
    const size = lastDim(spec.outputShape);
    return size === null ? null : nodesOf(newSource(spec.name, spec.className, size, false));
  };
  const tensorOf = (ref: InboundRef): Channels => {
    if (ref.nodeIndex !== 0 || ref.tensorIndex !== 0) return null;
    return layers.get(ref.layer)?.output ?? null;
  };

  for (const spec of specs) {
    const cfg = spec.config;
    shapes.set(spec.name, spec.outputShape);
    if (spec.className === "InputLayer") {
      const size = lastDim(spec.outputShape);
      const out = size === null ? null : nodesOf(newSource(spec.name, spec.className, size, false));
      layers.set(spec.name, { name: spec.name, className: spec.className, inputs: [], output: out, source: null });
      continue;
    }
    const inputs = spec.inbound.map(tensorOf);
    if (spec.shared) {
      const out = opaque(spec, inputs, `feeds layer '${spec.name}', which is called more than once (shared weights)`);
      layers.set(spec.name, { name: spec.name, className: spec.className, inputs, output: out, source: null });
      continue;
    }
    const inShapes = spec.inbound.map((r) => shapes.get(r.layer) ?? null);
    const unsupported = (detail: string): Channels =>
      opaque(
        spec,
        inputs,
        `feeds ${spec.className} layer '${spec.name}' (${detail}), which structured pruning cannot slice`,
      );
    let output: Channels;
    let source: number | null = null;

    if (isProducerClass(spec.className)) {
      if (inputs.length !== 1) output = unsupported("several inputs");
      else if (spec.className !== "Dense" && !channelsLast(cfg)) output = unsupported("channels_first");
      else {
        source = newSource(spec.name, spec.className, producerSize(spec), true);
        output = nodesOf(source);
      }
    } else if (spec.className === "DepthwiseConv2D") {
      const m = Number(cfg["depth_multiplier"] ?? 1);
      const input = inputs[0] ?? null;
      if (inputs.length !== 1 || !channelsLast(cfg) || !Number.isInteger(m) || m < 1)
        output = unsupported("unsupported options");
      else if (input === null) output = opaque(spec, inputs, "");
      else {
        output = new Int32Array(input.length * m);
        for (let c = 0; c < input.length; c++) for (let j = 0; j < m; j++) output[c * m + j] = input[c] as number;
      }
    } else if (spec.className === "BatchNormalization") {
      const axis = cfg["axis"];
      const rank = spec.outputShape?.length ?? 0;
      const ax = Array.isArray(axis) && axis.length === 1 ? Number(axis[0]) : Number(axis ?? -1);
      if (inputs.length !== 1 || !(ax === -1 || ax === rank - 1)) output = unsupported(`axis ${String(axis)}`);
      else output = inputs[0] ?? null;
    } else if (PASS_THROUGH.has(spec.className)) {
      if (inputs.length !== 1 || !channelsLast(cfg)) output = unsupported("unsupported options");
      else output = inputs[0] ?? null;
    } else if (spec.className === "Flatten") {
      const input = inputs[0] ?? null;
      const shape = inShapes[0] ?? null;
      if (inputs.length !== 1) output = unsupported("several inputs");
      else if (input === null) output = opaque(spec, inputs, "");
      else {
        let positions = 1;
        let known = shape !== null;
        for (const d of shape?.slice(1, -1) ?? []) {
          if (typeof d === "number") positions *= d;
          else known = false;
        }
        if (!known) output = unsupported("unknown input shape");
        else {
          output = new Int32Array(positions * input.length);
          for (let p = 0; p < positions; p++) output.set(input, p * input.length);
        }
      }
    } else if (ELEMENTWISE_MERGES.has(spec.className) || spec.className === "Concatenate") {
      const rank = spec.outputShape?.length ?? 0;
      const axis = Number(cfg["axis"] ?? -1);
      const alongChannels = spec.className === "Concatenate" && (axis === -1 || axis === rank - 1);
      if (inputs.some((c) => c === null)) output = unsupported("an input of unknown channels");
      else if (alongChannels) {
        const parts = inputs as Int32Array[];
        output = new Int32Array(parts.reduce((s, p) => s + p.length, 0));
        let off = 0;
        for (const p of parts) {
          output.set(p, off);
          off += p.length;
        }
      } else {
        const parts = inputs as Int32Array[];
        const first = parts[0] as Int32Array;
        if (parts.some((p) => p.length !== first.length)) output = unsupported("broadcasting inputs");
        else {
          for (const p of parts.slice(1)) for (let i = 0; i < p.length; i++) union(first[i] as number, p[i] as number);
          if (first.length > 0) ties.push({ layer: spec.name, node: first[0] as number });
          output = first;
        }
      }
    } else {
      output = unsupported("unknown layer type");
    }
    layers.set(spec.name, { name: spec.name, className: spec.className, inputs, output, source });
  }

  for (const ref of outputs) {
    const out = tensorOf(ref);
    block(out, `produces the model output (through '${ref.layer}')`);
  }

  return { layers, sources, nodeSource, nodeIndex, blocked, ties, find };
}

export interface GroupPlan {
  /** Producer layers whose channels are tied together. */
  readonly layers: string[];
  /** Merge layers that tie them. */
  readonly tiedAt: string[];
  /** Number of independent channel choices (tied channels count once). */
  readonly channels: number;
  readonly removedChannels: number;
  readonly sparsity: number;
  /** Empty when the group is pruned. */
  readonly reasons: string[];
}

export interface PrunePlan {
  readonly groups: GroupPlan[];
  /** Kept channel indices (ascending) per producer that loses channels. */
  readonly keptUnits: Map<string, number[]>;
  /** true for nodes that are removed. */
  readonly removed: Uint8Array;
}

export function planPruning(
  graph: ChannelGraph,
  sparsityOf: (layer: string) => number,
  unitScore: (layer: string) => Float64Array,
): PrunePlan {
  const { sources, nodeSource, nodeIndex, blocked, find } = graph;
  const nNodes = nodeSource.length;
  // Group sources through the classes of tied nodes.
  const sParent = sources.map((_, i) => i);
  const sFind = (s: number): number => {
    while (sParent[s] !== s) s = sParent[s] as number;
    return s;
  };
  const classMembers = new Map<number, number[]>();
  for (let n = 0; n < nNodes; n++) {
    const r = find(n);
    const members = classMembers.get(r);
    if (members) members.push(n);
    else classMembers.set(r, [n]);
  }
  for (const members of classMembers.values()) {
    const s0 = sFind(nodeSource[members[0] as number] as number);
    for (const m of members) {
      const s = sFind(nodeSource[m] as number);
      if (s !== s0) sParent[Math.max(s, s0)] = Math.min(s, s0);
    }
  }
  const groupSources = new Map<number, number[]>();
  sources.forEach((_, i) => {
    const g = sFind(i);
    const list = groupSources.get(g);
    if (list) list.push(i);
    else groupSources.set(g, [i]);
  });
  const groupClasses = new Map<number, number[][]>();
  for (const members of classMembers.values()) {
    const g = sFind(nodeSource[members[0] as number] as number);
    const list = groupClasses.get(g);
    if (list) list.push(members);
    else groupClasses.set(g, [members]);
  }

  const removed = new Uint8Array(nNodes);
  const keptUnits = new Map<string, number[]>();
  const groups: GroupPlan[] = [];
  const scores = new Map<number, Float64Array>();

  for (const [g, srcIds] of groupSources) {
    const layerSources = srcIds.filter((s) => (sources[s] as SourceInfo).prunable);
    if (layerSources.length === 0) continue; // model inputs / opaque outputs only
    const classes = groupClasses.get(g) ?? [];
    const names = layerSources.map((s) => (sources[s] as SourceInfo).name);
    const tiedAt = [
      ...new Set(graph.ties.filter((t) => sFind(nodeSource[t.node] as number) === g).map((t) => t.layer)),
    ];
    const reasons = new Set<string>();
    for (const s of srcIds) {
      const info = sources[s] as SourceInfo;
      if (!info.prunable) {
        reasons.add(
          info.className === "InputLayer"
            ? `channels are tied to the model input '${info.name}'`
            : `channels are tied to the output of ${info.className} layer '${info.name}', which cannot be pruned`,
        );
      }
    }
    for (const members of classes)
      for (const n of members) {
        const why = blocked.get(n);
        if (why) reasons.add(why);
      }
    const sparsities = [...new Set(names.map(sparsityOf))];
    const sparsity = Math.min(...sparsities);
    if (sparsity <= 0) reasons.add("excluded by options (sparsity 0)");
    if (reasons.size > 0) {
      groups.push({
        layers: names,
        tiedAt,
        channels: classes.length,
        removedChannels: 0,
        sparsity: 0,
        reasons: [...reasons],
      });
      continue;
    }
    for (const s of layerSources) {
      const info = sources[s] as SourceInfo;
      scores.set(s, unitScore(info.name));
    }
    const scored = classes.map((members) => {
      let score = 0;
      for (const n of members)
        score += (scores.get(nodeSource[n] as number) as Float64Array)[nodeIndex[n] as number] as number;
      return { members, score, first: Math.min(...members) };
    });
    scored.sort((a, b) => a.score - b.score || a.first - b.first);
    const target = Math.round(sparsity * classes.length);
    const remaining = new Map<number, number>(layerSources.map((s) => [s, (sources[s] as SourceInfo).size]));
    let done = 0;
    for (const c of scored) {
      if (done >= target) break;
      const need = new Map<number, number>();
      for (const n of c.members) {
        const s = nodeSource[n] as number;
        need.set(s, (need.get(s) ?? 0) + 1);
      }
      if ([...need].some(([s, k]) => (remaining.get(s) ?? 0) - k < 1)) continue; // keep ≥ 1 channel per layer
      for (const [s, k] of need) remaining.set(s, (remaining.get(s) ?? 0) - k);
      for (const n of c.members) removed[n] = 1;
      done++;
    }
    for (const s of layerSources) {
      const info = sources[s] as SourceInfo;
      const kept: number[] = [];
      for (let i = 0; i < info.size; i++) if (!removed[info.firstNode + i]) kept.push(i);
      if (kept.length < info.size) keptUnits.set(info.name, kept);
    }
    groups.push({
      layers: names,
      tiedAt,
      channels: classes.length,
      removedChannels: done,
      sparsity: classes.length === 0 ? 0 : done / classes.length,
      reasons: [],
    });
  }
  return { groups, keptUnits, removed };
}

/** Positions of `channels` whose node survives. */
export function keptPositions(channels: Channels, removed: Uint8Array): number[] | null {
  if (!channels) return null;
  const kept: number[] = [];
  let any = false;
  for (let p = 0; p < channels.length; p++) {
    if (removed[channels[p] as number]) any = true;
    else kept.push(p);
  }
  return any ? kept : null;
}
