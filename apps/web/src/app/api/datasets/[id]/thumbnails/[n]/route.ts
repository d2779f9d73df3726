// An image dataset's decoded image n as a PNG, from the API's GET /datasets/:id/thumbnails/:n.png
// with the session token (the API checks the team; this app never reads the artifact store).
import type { NextRequest } from "next/server";
import { SESSION_COOKIE, thumbnailUrl } from "@/lib/config";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest, ctx: { params: Promise<{ id: string; n: string }> }): Promise<Response> {
  const { id, n } = await ctx.params;
  const token = req.cookies.get(SESSION_COOKIE)?.value;
  if (!token) return new Response(null, { status: 401 });
  if (!/^\d{1,3}$/.test(n)) return new Response(null, { status: 404 });
  let res: Response;
  try {
    res = await fetch(thumbnailUrl(id, Number(n)), { headers: { authorization: `Bearer ${token}` } });
  } catch {
    return new Response(null, { status: 502 });
  }
  return new Response(res.ok ? res.body : null, {
    status: res.status,
    headers: res.ok ? { "content-type": "image/png", "cache-control": "private, max-age=3600" } : {},
  });
}
