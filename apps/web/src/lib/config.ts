// Where the API is. API_URL (or COSTGATE_API_URL, which `npm start` sets) may name the API's
// base URL or its /graphql endpoint: http://127.0.0.1:4000 and http://127.0.0.1:4000/graphql both work.
const DEFAULT_API_URL = "http://127.0.0.1:4000/graphql";

function apiBaseUrl(): string {
  const raw = process.env.API_URL || process.env.COSTGATE_API_URL || DEFAULT_API_URL;
  return raw.replace(/\/+$/, "").replace(/\/graphql$/, "");
}

export const graphqlUrl = (): string => `${apiBaseUrl()}/graphql`;
export const uploadsUrl = (): string => `${apiBaseUrl()}/uploads`;
/** An image dataset's decoded image n, as a PNG (the API checks the token's team). */
export const thumbnailUrl = (datasetId: string, n: number): string =>
  `${apiBaseUrl()}/datasets/${encodeURIComponent(datasetId)}/thumbnails/${n}.png`;

/** The httpOnly cookie holding the API session token. */
export const SESSION_COOKIE = "costgate_session";
