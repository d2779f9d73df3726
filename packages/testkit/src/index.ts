export { ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD, TestApi, type ApiStarter, type RunningApi } from "./test-api.ts";
export { freePort, startApiProcess, type ApiProcess } from "./api-process.ts";
export { signalUnderLoad, startSlowGet, startSlowRequest } from "./http-load.ts";
export { uploadFiles, uploadModelFolder } from "./uploads.ts";
export { until } from "./until.ts";
export { solidImage, tarOf, writeImageModel, zipOf } from "./archives.ts";
export { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";
export { storeCost } from "./stored-cost.ts";
export { startTestS3Server, type TestS3Server } from "./s3-server.ts";
