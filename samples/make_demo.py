"""Builds samples/demo.jsonl, the bundled demo and end-to-end test input.

    python samples/make_demo.py [--check] [path to article-extraction-benchmark]

--check exits 1 if demo.jsonl differs from what this script builds (tests/test_samples.py runs it).
The three HTML pages come from scrapinghub/article-extraction-benchmark (MIT
licence, see samples/README.md); every other article here was written for this
sample and describes no real event.
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH_PAGES = [  # small pages of the benchmark, by file hash
    "c00962aabe7bdd1fca78f5360ea7fa93cd7674863b05157e00827506a7aa58c4",
    "85439e26c41c75901820d01a13e8cea7836abb58635ea3986f71a163ab0311d3",
    "14cc2a0ca59c62a8c9f205a171e9ccf4ef4cf69b0c642f51c8c65c051b39024f",
]

FLOOD_PARAS = [
    ("Bekasi - Banjir merendam sedikitnya 1.200 rumah di lima kecamatan di Kota Bekasi, Jawa Barat, setelah hujan "
     "deras mengguyur wilayah itu sejak Senin (3/11/2025) malam. Ketinggian air di sejumlah permukiman mencapai "
     "satu meter."),
    ("Kepala Badan Penanggulangan Bencana Daerah (BPBD) Kota Bekasi, Agus Santoso, mengatakan petugas telah "
     "mengevakuasi 340 warga ke tempat pengungsian sementara di masjid dan sekolah terdekat. Perahu karet "
     "dikerahkan ke kawasan yang paling parah terdampak."),
    ("\"Kami fokus mengevakuasi lansia, ibu hamil dan anak-anak lebih dulu. Dapur umum sudah berdiri di tiga "
     "titik,\" ujar Agus kepada wartawan di Bekasi Timur, Selasa (4/11/2025)."),
    ("Menurut Agus, luapan Kali Bekasi menjadi penyebab utama banjir kali ini. Debit air di Bendung Bekasi sempat "
     "berstatus siaga satu pada Selasa dini hari sebelum berangsur turun menjelang siang."),
    ("Wali Kota Bekasi Tri Adhianto meminta warga di bantaran kali tetap waspada karena Badan Meteorologi, "
     "Klimatologi, dan Geofisika (BMKG) memperkirakan hujan lebat masih akan turun hingga akhir pekan."),
    ("Pemerintah kota juga menyiapkan bantuan logistik berupa beras, air bersih, selimut dan obat-obatan. Posko "
     "kesehatan dibuka di setiap lokasi pengungsian untuk melayani warga yang mengeluhkan gatal-gatal dan demam."),
    ("Hingga Selasa sore, tidak ada laporan korban jiwa. Sejumlah ruas jalan utama, termasuk Jalan Ahmad Yani dan "
     "Jalan Juanda, masih tergenang dan hanya bisa dilalui kendaraan besar."),
]

OTHER_FLOOD_PARAS = [
    ("Semarang - Hujan deras yang mengguyur Kota Semarang, Jawa Tengah, sejak Minggu (2/11/2025) sore membuat rob "
     "dan genangan muncul di kawasan Kaligawe dan Genuk. Arus lalu lintas di jalur pantura sempat tersendat selama "
     "beberapa jam."),
    ("Kepala Dinas Pekerjaan Umum Kota Semarang, Rina Wulandari, mengatakan delapan pompa air di Rumah Pompa "
     "Tenggang dioperasikan penuh untuk mempercepat surutnya air. Petugas juga membersihkan saluran yang tersumbat "
     "sampah."),
    ("\"Curah hujan kemarin di atas 150 milimeter dalam tiga jam, jadi kapasitas saluran memang terlampaui,\" kata "
     "Rina di Balai Kota Semarang, Senin (3/11/2025)."),
    ("Sejumlah pabrik di Kawasan Industri Terboyo meliburkan sebagian karyawan karena akses jalan tertutup air. "
     "Pedagang di Pasar Waru juga menutup lapak mereka lebih awal."),
    ("Pemerintah Kota Semarang menargetkan proyek tanggul laut di pesisir utara rampung tahun depan. Proyek itu "
     "diharapkan mengurangi banjir rob yang hampir setiap bulan melanda permukiman warga di wilayah timur kota."),
]

BANK_PARAS = [
    ("The central bank of the fictional Republic of Vestmark raised its benchmark interest rate by a quarter of a "
     "percentage point on Thursday, citing stubborn inflation in housing and services."),
    ("The decision lifts the policy rate to 4.75 percent, the highest level in eleven years. Seven of the nine "
     "members of the monetary policy committee voted for the increase, while two preferred to hold rates steady."),
    ("\"Price pressures have eased less than we expected over the summer,\" Governor Helena Marsh told reporters "
     "after the meeting. \"We are prepared to act again if the data warrant it.\""),
    ("Consumer prices rose 3.9 percent in the year to September, well above the bank's two percent target. Rents "
     "alone climbed more than six percent, according to the national statistics office."),
    ("Economists at Harbor Street Capital said the move had been widely anticipated but that the bank's language "
     "suggested another increase in December was possible. The Vestmark krona strengthened 0.6 percent against the "
     "euro after the announcement."),
    ("Business groups criticised the decision. The Vestmark Chamber of Commerce said small firms were already "
     "struggling with higher borrowing costs and warned that investment plans would be delayed."),
]


def html_page(title: str, site: str, url: str, paras: list[str], published: str, author: str, nav_items: list[str],
              footer: str) -> str:
    nav = "".join(f'<li><a href="/{n.lower()}">{n}</a></li>' for n in nav_items)
    body = "".join(f"<p>{p}</p>" for p in paras)
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": published, "author": {"@type": "Person", "name": author}})
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title} | {site}</title>'
        f'<meta property="og:site_name" content="{site}"><meta property="og:title" content="{title}">'
        f'<link rel="canonical" href="{url}"><meta property="article:published_time" content="{published}">'
        f'<script type="application/ld+json">{ld}</script></head><body>'
        f'<header><nav><ul>{nav}</ul></nav>'
        f'<div class="cookie">We use cookies to improve your experience.</div></header>'
        f'<main><article><h1>{title}</h1><div class="byline">By {author}</div>{body}</article>'
        f'<aside><h3>Most read</h3><ul><li><a href="/a">Markets rally on tech earnings</a></li>'
        f'<li><a href="/b">Storm warning for the coast</a></li></ul></aside></main>'
        f"<footer>{footer}</footer></body></html>"
    )


def build(bench: Path) -> bytes:
    """demo.jsonl's bytes; bench is the article-extraction-benchmark directory."""
    truth = json.loads((bench / "ground-truth.json").read_text())
    seed = (HERE / "seed_ungkapfakta.txt").read_text()
    lines: list[bytes] = []

    def add(obj: object) -> None:
        lines.append(json.dumps(obj, ensure_ascii=False).encode("utf-8"))

    # 1. the seed page, as scraped text without a URL
    add({"id": "seed-1", "text": seed, "fetched_at": "2023-10-28T09:00:00Z"})
    # 2. an Indonesian story as scraped text, with a detik-like template
    flood_text = "\n".join(
        ["Banjir Rendam 1.200 Rumah di Bekasi, 340 Warga Mengungsi", "Selasa, 04 Nov 2025 14:20 WIB",
         FLOOD_PARAS[0], FLOOD_PARAS[1], "ADVERTISEMENT", "SCROLL TO CONTINUE WITH CONTENT", FLOOD_PARAS[2],
         "Baca juga: Jalur KRL Bekasi Terganggu Genangan", *FLOOD_PARAS[3:],
         "Simak juga Video: Detik-detik Tanggul Jebol"]
    )
    add({"id": "flood-a",
         "url": "https://news.kabarkota.example/berita/d-1001/banjir-rendam-1200-rumah-di-bekasi?utm_source=twitter",
         "text": flood_text, "fetched_at": "2025-11-04T08:00:00Z", "source": "KabarKota"})
    # 3. the same story syndicated word for word on another site: an exact duplicate
    add({"id": "flood-a-syndicated", "url": "https://daerah.suaraindo.example/read/2025/11/04/banjir-bekasi",
         "text": "\n".join(FLOOD_PARAS), "title": "Banjir Rendam 1.200 Rumah di Bekasi, 340 Warga Mengungsi",
         "fetched_at": "2025-11-04T09:30:00Z"})
    # 4. republished with a new headline, a trimmed ending, a moved paragraph and light edits: a near duplicate
    edited = [FLOOD_PARAS[0].replace("sedikitnya", "setidaknya"), FLOOD_PARAS[2], FLOOD_PARAS[1],
              FLOOD_PARAS[3], FLOOD_PARAS[4].replace("meminta", "mengimbau")]
    add({"id": "flood-a-rewrite", "url": "https://www.beritaraya.example/nasional/banjir-bekasi-ratusan-warga-mengungsi",
         "text": "\n".join(["Ribuan Rumah Terendam, Ratusan Warga Bekasi Mengungsi", "Bagikan", *edited,
                            "Ikuti kami di Google News", "Copyright © 2025 BeritaRaya"]),
         "fetched_at": "2025-11-04T11:00:00Z"})
    # 5. a different flood story (same topic, other city): must stay a separate story
    add({"id": "flood-b", "url": "https://news.kabarkota.example/berita/d-1002/hujan-deras-semarang-tergenang",
         "text": "\n".join(["Hujan Deras, Kawasan Kaligawe Semarang Tergenang", "Senin, 03 Nov 2025 16:05 WIB",
                            *OTHER_FLOOD_PARAS]), "fetched_at": "2025-11-03T10:00:00Z"})
    # 6-7. an English story as HTML on two sites, the second lightly edited
    add({"id": "bank-a", "url": "https://www.dailyledger.example/markets/2025/10/30/vestmark-rate-rise",
         "html": html_page("Vestmark central bank raises rates to 11-year high", "The Daily Ledger",
                           "https://www.dailyledger.example/markets/2025/10/30/vestmark-rate-rise", BANK_PARAS,
                           "2025-10-30T13:05:00+01:00", "Anna Lindqvist", ["World", "Markets", "Opinion"],
                           "© 2025 The Daily Ledger. All rights reserved."),
         "fetched_at": "2025-10-30T12:30:00Z"})
    bank_b = [p.replace("on Thursday", "on Thursday, Oct. 30") for p in BANK_PARAS[:5]]
    add({"id": "bank-b", "url": "https://finance.globewire.example/news/vestmark-hikes-rates?ref=homepage",
         "html": html_page("Vestmark lifts policy rate as inflation lingers", "GlobeWire Finance",
                           "https://finance.globewire.example/news/vestmark-hikes-rates", bank_b,
                           "2025-10-30T14:40:00Z", "GlobeWire staff", ["Home", "Economy", "Companies"],
                           "GlobeWire Finance — newsletters, podcasts and more."),
         "fetched_at": "2025-10-30T15:00:00Z"})
    # 8-10. three real pages from the extraction benchmark
    for h in BENCH_PAGES:
        html = gzip.decompress((bench / "html" / f"{h}.html.gz").read_bytes()).decode("utf-8", "replace")
        add({"id": f"bench-{h[:8]}", "url": truth[h]["url"], "html": html})
    # 11-15. malformed messages: each must end in the dead-letter topic with its reason
    lines.append(b'{"url": "https://broken.example/a", "text": "unterminated')  # invalid_json
    lines.append(b'{"url": "https://broken.example/b", "text": "caf\xe9 latte \xff\xfe"}')  # invalid_utf8
    add({"url": "https://broken.example/c", "html": 42})  # schema: html must be a string
    add({"url": "https://broken.example/d", "text": "   "})  # no_content
    add(["not", "an", "object"])  # schema
    return b"\n".join(lines) + b"\n"


def main(argv: list[str]) -> int:
    paths = [a for a in argv if a != "--check"]
    bench = Path(paths[0]) if paths else HERE.parent.parent / "shared/data/article-extraction-benchmark"
    data, out = build(bench), HERE / "demo.jsonl"
    if "--check" in argv:
        if out.read_bytes() != data:
            print(f"{out} differs from what {Path(__file__).name} builds", file=sys.stderr)
            return 1
        return 0
    out.write_bytes(data)
    print(f"wrote {len(data.splitlines())} lines to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
