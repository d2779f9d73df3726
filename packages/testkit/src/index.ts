export {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  PASSWORD,
  TestApi,
  type ApiStarter,
  type GqlResult,
  type RunningApi,
  type TestApiEnv,
} from "./test-api.ts";
export { freePort, startApiProcess, type ApiProcess } from "./api-process.ts";
export { uploadFiles, uploadModelFolder, type UploadTarget } from "./uploads.ts";
export { until } from "./until.ts";
