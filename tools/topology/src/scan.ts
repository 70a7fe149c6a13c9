import * as ts from 'typescript';

/** What one service's source says about its edges. `Topics` keys, in order of appearance. */
export interface ServiceEdges {
  /** Topics of its `@Consumes(Topics.x, ...)` handlers. */
  consumes: string[];
  /** Topics it writes to its outbox (`topic: Topics.x` in an `emit`/`emitMany` call). */
  emits: string[];
  /** gRPC services it serves (`server.add(XService, ...)`). */
  grpc: string[];
  /** It declares migrations (`main({ migrations, ... })`): it owns a PostgreSQL schema. */
  stateful?: boolean;
}

const OUTBOX_METHODS = new Set(['emit', 'emitMany']);

/** `Topics.x` → `x`, else undefined. */
function topicKey(node: ts.Node | undefined): string | undefined {
  if (node && ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Topics') return node.name.text;
  return undefined;
}

/** The name of a called method or function (`a.b.emit(...)` → `emit`). */
function calleeName(call: ts.CallExpression): string | undefined {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** True when `node` sits inside the arguments of an Outbox `emit`/`emitMany` call. */
function insideOutboxCall(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isCallExpression(n) && OUTBOX_METHODS.has(calleeName(n) ?? '')) return true;
  }
  return false;
}

function pushOnce(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

/** Adds the edges written in one source file to `into`. */
export function scanSource(fileName: string, text: string, into: ServiceEdges): ServiceEdges {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.ES2022, true);
  const visit = (node: ts.Node): void => {
    if (ts.isDecorator(node) && ts.isCallExpression(node.expression) && calleeName(node.expression) === 'Consumes') {
      const key = topicKey(node.expression.arguments[0]);
      if (key) pushOnce(into.consumes, key);
    } else if ((ts.isPropertyAssignment(node) || ts.isShorthandPropertyAssignment(node)) && ts.isIdentifier(node.name) && node.name.text === 'migrations') {
      into.stateful = true;
    } else if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && node.name.text === 'topic') {
      const key = topicKey(node.initializer);
      if (key && insideOutboxCall(node)) pushOnce(into.emits, key);
    } else if (ts.isCallExpression(node) && calleeName(node) === 'add' && ts.isPropertyAccessExpression(node.expression)) {
      // Children first: in `server.add(A, ...).add(B, ...)` the outer call is B's.
      ts.forEachChild(node, visit);
      const first = node.arguments[0];
      if (first && ts.isIdentifier(first) && /Service$/.test(first.text)) pushOnce(into.grpc, first.text);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return into;
}

/** An empty edge set. */
export function noEdges(): ServiceEdges {
  return { consumes: [], emits: [], grpc: [] };
}
