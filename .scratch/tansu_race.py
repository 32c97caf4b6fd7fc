import sys, threading, uuid
sys.path.insert(0, "/work/wt-stream")
from kafka import KafkaProducer, KafkaConsumer, KafkaAdminClient
from kafka.admin import NewTopic
from workers.tools.broker import EmbeddedBroker
with EmbeddedBroker() as b:
    t = f"race-{uuid.uuid4().hex[:6]}"
    a = KafkaAdminClient(bootstrap_servers=b.bootstrap); a.create_topics([NewTopic(t, 1, 1)]); a.close()
    offsets = {}
    def run(name, n=1500):
        p = KafkaProducer(bootstrap_servers=b.bootstrap, batch_size=1, linger_ms=0, acks="all")
        futs = [p.send(t, f"{name}-{i}".encode(), partition=0) for i in range(n)]
        p.flush()
        offsets[name] = [f.get(10).offset for f in futs]
        p.close()
    th = [threading.Thread(target=run, args=(n,)) for n in ("a", "b", "c")]
    [x.start() for x in th]; [x.join() for x in th]
    allo = [o for v in offsets.values() for o in v]
    print("acked", len(allo), "distinct offsets", len(set(allo)))
    c = KafkaConsumer(t, bootstrap_servers=b.bootstrap, auto_offset_reset="earliest", consumer_timeout_ms=4000, group_id=None)
    vals = [r.value for r in c]
    print("read back", len(vals), "distinct", len(set(vals)))
