import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

/** Names that hold signatures, secrets or what they are compared with. */
const secretMaterial = /sign|security|secret|token|digest|hmac|mac\b|expected|credential/i;

const equalityOperators = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/** Comparing with a literal, `undefined`, a `typeof` or a length tells nothing about a secret's content. */
function isHarmlessOperand(node: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(node)) return isHarmlessOperand(node.expression);
  if (ts.isLiteralExpression(node) || ts.isNoSubstitutionTemplateLiteral(node)) return true;
  if (node.kind === ts.SyntaxKind.NullKeyword || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword) {
    return true;
  }
  if (ts.isIdentifier(node) && node.text === "undefined") return true;
  if (ts.isTypeOfExpression(node)) return true;
  if (ts.isPropertyAccessExpression(node) && (node.name.text === "length" || node.name.text === "byteLength")) return true;
  if (ts.isPrefixUnaryExpression(node)) return isHarmlessOperand(node.operand);
  return false;
}

/** The variables an expression reads (property and method names excluded). */
function identifiersIn(node: ts.Node): Set<string> {
  const names = new Set<string>();
  const visit = (child: ts.Node) => {
    if (ts.isIdentifier(child) && !(ts.isPropertyAccessExpression(child.parent) && child.parent.name === child)) names.add(child.text);
    ts.forEachChild(child, visit);
  };
  visit(node);
  return names;
}

/**
 * `token.trim() === token` compares a value with a function of itself (a settings check): no second
 * value, let alone an attacker's, takes part, so nothing can leak through its timing.
 */
function comparesValueWithItself(left: ts.Expression, right: ts.Expression): boolean {
  const [leftNames, rightNames] = [identifiersIn(left), identifiersIn(right)];
  return leftNames.size > 0 && leftNames.size === rightNames.size && [...leftNames].every((name) => rightNames.has(name));
}

export interface SuspiciousComparison {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/**
 * Finds comparisons of secret material that do not go through a constant-time function: `a === b`
 * between two values of which one is named like a signature or secret, and byte comparisons
 * (`.equals`, `Buffer.compare`, `localeCompare`) of such values.
 */
export function findSuspiciousComparisons(fileName: string, sourceText: string): SuspiciousComparison[] {
  const source = ts.createSourceFile(fileName, sourceText, ts.ScriptTarget.Latest, true);
  const found: SuspiciousComparison[] = [];
  const report = (node: ts.Node) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push({ file: fileName, line: line + 1, text: node.getText(source) });
  };
  const visit = (node: ts.Node) => {
    if (ts.isBinaryExpression(node) && equalityOperators.has(node.operatorToken.kind)) {
      const operands = [node.left, node.right];
      const involvesSecret = operands.some((operand) => secretMaterial.test(operand.getText(source)));
      if (involvesSecret && !operands.some(isHarmlessOperand) && !comparesValueWithItself(node.left, node.right)) report(node);
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression.getText(source);
      const byteComparison = /\.(equals|localeCompare)$/.test(callee) || callee === "Buffer.compare";
      if (byteComparison && secretMaterial.test(node.getText(source))) report(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every `.ts` file under `directory`, recursively. */
export function typeScriptFilesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    if (name === "node_modules" || name === "dist") return [];
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return typeScriptFilesUnder(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

export function findSuspiciousComparisonsUnder(directory: string, root: string = directory): SuspiciousComparison[] {
  return typeScriptFilesUnder(directory).flatMap((path) => findSuspiciousComparisons(relative(root, path), readFileSync(path, "utf8")));
}
