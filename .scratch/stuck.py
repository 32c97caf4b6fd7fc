import sys, orjson
from collections import Counter, defaultdict
sys.path.insert(0, "/work/wt-stream")
from kafka import KafkaConsumer, TopicPartition
from workers.core import envelope
boot, app = sys.argv[1], sys.argv[2]
uid = app.split("-")[1]
def read(topics):
    c = KafkaConsumer(*topics, bootstrap_servers=boot, auto_offset_reset="earliest", enable_auto_commit=False,
                      group_id=None, consumer_timeout_ms=4000, fetch_max_bytes=50_000_000, max_partition_fetch_bytes=20_000_000)
    out = list(c); c.close(); return out
raw = read([f"raw-{uid}"])
done = set()
for r in read([f"art-{uid}", f"dup-{uid}", f"dead-{uid}"]):
    s = orjson.loads(r.value)["source"]
    if s.get("topic") == f"raw-{uid}": done.add((s["partition"], s["offset"]))
missing = sorted((r.partition, r.offset) for r in raw if (r.partition, r.offset) not in done)
print("raw", len(raw), "missing", len(missing), Counter(p for p, _ in missing))
g = KafkaConsumer(bootstrap_servers=boot, group_id=app, enable_auto_commit=False)
for t, n in ((f"raw-{uid}", 4), (f"{app}-by-site", 4), (f"{app}-to-dedup", 1)):
    print(t, "committed", [g.committed(TopicPartition(t, p)) for p in range(n)])
# where are the missing ones: by-site / to-dedup positions
ms = set(missing)
for name in ("by-site", "to-dedup"):
    pos = defaultdict(list)
    for r in read([f"{app}-{name}"]):
        try: o = envelope.open_envelope(r.value)
        except Exception: continue
        k = (o.source.partition, o.source.offset)
        if k in ms: pos[r.partition].append(r.offset)
    print(name, {p: (min(v), max(v), len(v)) for p, v in pos.items()})
for p in range(4):
    mp = [o for q, o in missing if q == p]
    if mp: print("raw p", p, "missing range", mp[0], mp[-1], len(mp))
