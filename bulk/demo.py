"""`make demo` (interim): start the sandbox and run a short scripted session through the client."""

from __future__ import annotations

import anyio

from .client import PipedriveClient
from .sandbox import SandboxConfig, serve


async def main() -> None:
    async with serve(SandboxConfig(plan="growth")) as sb:
        print(f"sandbox at {sb.url} (growth plan, api_token)")
        async with PipedriveClient(sb.url, sb.token) as client:
            stages = (await client.call("getStages")).data
            made = []
            for n in range(1, 6):
                res = await client.call("addDeal", json={"title": f"Demo deal {n}", "value": 1000 * n,
                                                         "currency": "EUR"})
                made.append(res.data["id"])
                print(f"created deal {res.data['id']}: {res.data['title']} "
                      f"(x-ratelimit-remaining={res.rate.remaining})")
            seen = 0
            async for page in client.paginate("getDeals", limit=2):
                seen += len(page.data)
                print(f"page of {len(page.data)} deals, next cursor: {bool(page.next_cursor)}")
            moved = await client.call("updateDeal", path={"id": made[0]},
                                      json={"stage_id": stages[2]["id"]})
            print(f"moved deal {made[0]} to stage {stages[2]['name']!r}")
            merged = await client.call("mergeDeals", path={"id": made[1]},
                                       json={"merge_with_id": made[2]})
            print(f"merged deal {merged.data['merge_what_id']} into {merged.data['id']}")
        stats = sb.stats()
        print(f"{seen} deals listed; moved {moved.data['id']}; tokens spent: {stats['tokens_spent']}")


if __name__ == "__main__":
    anyio.run(main)
