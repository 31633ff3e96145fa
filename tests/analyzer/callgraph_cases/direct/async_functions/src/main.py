import asyncio


async def fetch_user(user_id):
    await asyncio.sleep(0)
    return {"id": user_id, "name": f"user{user_id}"}


async def fetch_all(user_ids):
    return await asyncio.gather(*(fetch_user(user_id) for user_id in user_ids))


def summarize(users):
    return ", ".join(user["name"] for user in users)


async def main():
    users = await fetch_all([1, 2, 3])
    print(summarize(users))


asyncio.run(main())
