"""Partial analysis of a running bench/faults.py kill run from the broker: lost/redelivered/self-dups."""
import sys, orjson, hashlib
from collections import Counter, defaultdict
sys.path.insert(0, "/work/wt-stream")
from kafka import KafkaConsumer
from bench.faults import make_inputs
boot, uid = sys.argv[1], sys.argv[2]
inputs = make_inputs(20000, seed=1)
idx = {hashlib.blake2b(v, digest_size=12).digest(): i for i, v in enumerate(inputs.all)}
def read(topics):
    c = KafkaConsumer(*topics, bootstrap_servers=boot, auto_offset_reset="earliest", enable_auto_commit=False,
                      group_id=None, consumer_timeout_ms=5000, fetch_max_bytes=50_000_000, max_partition_fetch_bytes=20_000_000)
    out = list(c); c.close(); return out
raw = read([f"raw-{uid}"])
pos = {(r.partition, r.offset): idx[hashlib.blake2b(r.value, digest_size=12).digest()] for r in raw}
outs = read([f"art-{uid}", f"dup-{uid}", f"dead-{uid}"])
by = defaultdict(list)
for r in outs:
    v = orjson.loads(r.value); s = v["source"]
    by[pos[(s["partition"], s["offset"])]].append(v)
n = len(raw)
print("raw", n, "inputs with outcome", len(by), "outcomes", len(outs), "redeliveries", len(outs) - len(by),
      "self-dups", sum(1 for vs in by.values() for v in vs if v.get("dedup", {}).get("duplicate_of") == v.get("id")))
missing = [i for i in pos.values() if i not in by]
print("missing now", len(missing), Counter(inputs.kinds[i] for i in missing))
