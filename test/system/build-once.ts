import { buildAll } from "../../scripts/build.mjs";

/**
 * The system suites start the services as `npm start` does: from the JavaScript that scripts/build.mjs
 * builds. Built once per `npm run test:system`, so the suites always run the current sources.
 */
export default async function setup(): Promise<void> {
  await buildAll();
}
