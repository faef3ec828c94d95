export { datasetResolver } from "./dataset-resolver.ts";
export { type DatasetRecord, DatasetStore, toDataset } from "./dataset-store.ts";
export { type DatasetsRoutesDeps, datasetsRoutes } from "./datasets.routes.ts";
export { DatasetError, DatasetErrorCodes } from "./errors.ts";
