"""URL canonicalisation: lower-case host, no fragment, no tracking parameters."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

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


def canonicalize(url: str | None, base: str | None = None) -> str | None:
    if not url:
        return None
    url = url.strip()
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    port = parts.port if parts.port and parts.port not in (80, 443) else None
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
    return urlunsplit(("https" if parts.scheme in ("http", "https") else parts.scheme, netloc, path, urlencode(query), ""))


def host(url: str | None) -> str | None:
    """The site's host without ``www.``, ``m.`` or ``amp.``."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower()
    for prefix in ("www.", "m.", "amp.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
    return host


def site(url: str | None) -> str | None:
    """The registered domain (news.detik.com and finance.detik.com are both detik.com), from the
    public-suffix list that the ``tld`` package ships; the host when the suffix is unknown."""
    if not url:
        return None
    return get_fld(url, fail_silently=True) or host(url)
