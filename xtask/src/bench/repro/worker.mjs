// The smallest Worker that shows wrangler dev's socket pile-up: it makes `n` sequential
// fetches to `target`, reading each body. See README.md beside it.
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const target = url.searchParams.get("target");
    const n = Number(url.searchParams.get("n") || "2000");
    let ok = 0;
    for (let i = 0; i < n; i++) {
      const response = await fetch(target);
      await response.arrayBuffer();
      ok += response.ok ? 1 : 0;
    }
    return new Response(`${ok} of ${n} fetches answered 2xx\n`);
  },
};
