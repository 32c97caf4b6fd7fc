"""URL canonicalisation: lower-case host, no fragment, no tracking parameters."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from tld import get_fld

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "itm_", "ga_", "hsa_", "_hs", "vero_", "oly_")
_TRACKING = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mkt_tok", "ref", "ref_src",
    "referrer", "cmpid", "cmp", "share", "shared", "ocid", "smid", "ito", "spm", "_ga", "amp", "tracking",
    "src", "source", "from", "tbref", "rtm", "utm", "s_cid", "cid", "icid", "ns_mchannel", "ns_source",
    "_gl", "guccounter", "guce_referrer", "guce_referrer_sig", "mc_eid", "mc_cid", "at_medium", "at_campaign",
    "at_custom1", "at_custom2", "dicbo", "sr_share", "soc_src", "soc_trk", "wt_mc", "wt.mc_id", "xtor", "ncid",
    "campaign_id", "ad_id", "adgroupid", "campaignid", "trk", "trkcampaign", "sc_cid", "__twitter_impression",
    "twclid", "ttclid", "li_fat_id", "epik", "utm_id", "page_source", "single", "tag_from", "_branch_match_id",
    "outputtype", "rss", "partner", "ref_url",
}


# Longer URLs are not article addresses (browsers and CDNs stop near 8 KB; news URLs are far shorter).
MAX_URL_CHARS = 4096
_BAD_HOST = re.compile(r"[\x00-\x20\x7f\"<>\\^`{|}%]|\.\.")  # whitespace, controls, characters no host name holds


def _parts(url: str | None, base: str | None = None) -> SplitResult | None:
    """The split URL when it is an http(s) URL with a well-formed host and port, else None (never raises)."""
    if not url or not isinstance(url, str):
        return None
    url = url.strip()
    try:
        if base:
            url = urljoin(base, url)
        if len(url) > MAX_URL_CHARS:
            return None
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError on a port out of range or not a number
    except ValueError:  # "http://[::1", "http://x.example:99999/", ":abc", ":-1"
        return None
    hostname = parts.hostname
    if parts.scheme not in ("http", "https") or not hostname or len(hostname) > 253 or _BAD_HOST.search(hostname):
        return None
    return parts


def canonicalize(url: str | None, base: str | None = None) -> str | None:
    """The canonical form of an http(s) URL, or None when it does not parse as one."""
    parts = _parts(url, base)
    if parts is None:
        return None
    host = (parts.hostname or "").rstrip(".")
    port = parts.port if parts.port and parts.port not in (80, 443) else None
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _TRACKING and not k.lower().startswith(_TRACKING_PREFIXES)
    ]
    path = parts.path or "/"
    if path.endswith(("/amp", "/amp/")):  # AMP copies share the article's identity
        path = path[: path.rindex("/amp")] or "/"
    elif path.startswith("/amp/"):
        path = path[len("/amp"):]
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


def host(url: str | None) -> str | None:
    """The site's host without ``www.``, ``m.`` or ``amp.``; None when the URL does not parse."""
    parts = _parts(url)
    if parts is None:
        return None
    host = (parts.hostname or "").rstrip(".")
    for prefix in ("www.", "m.", "amp.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
    return host or None


def site(url: str | None) -> str | None:
    """The registered domain (news.detik.com and finance.detik.com are both detik.com), from the
    public-suffix list that the ``tld`` package ships; the host when the suffix is unknown; None
    when the URL does not parse."""
    if url is None or _parts(url) is None:
        return None
    try:
        return get_fld(url, fail_silently=True) or host(url)
    except ValueError:  # fail_silently covers tld's own errors, not every urllib one
        return host(url)
