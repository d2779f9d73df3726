import { cache } from "react";
import { query } from "./api";
import { MeQuery } from "./operations";

/** The signed-in user, fetched once per request (layout and page share it). */
export const getMe = cache(async () => (await query(MeQuery)).me);
