#!/usr/bin/env python3
"""Build NN.txt / NN.json from annotated sources in src/NN.src.

Markup:
  [[text|kind|jur|group|url]]  a legal reference (group/url may be empty;
                                empty group -> derived from text+kind)
  {{text}}                     a look-alike that is NOT a legal reference
Citation markers like (1), (1, 2) are found automatically and listed as
not_references.
URL shorthands: nc (neutral citation -> Find Case Law), cu (curia),
hu (hudoc, first application number), tfeu, teu, cfr, echr,
pga:YEAR/CH[/SECTION], si:YEAR/NUM, reg:YEAR/NUM, dir:YEAR/NUM,
regdel:YEAR/NUM, regimpl:YEAR/NUM, usc:TITLE/SECTION, cfr:TITLE/SECTION,
cfrpart:TITLE/PART.
"""
import json, os, re, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "src")
KINDS = {"legislation", "provision", "regulation", "directive", "treaty", "case", "court", "rule"}
MARKER_RE = re.compile(r"(?<![\w)\]])\(\d{1,2}(?:, \d{1,2})*\)(?:\(\d{1,2}\))*")
NC_RE = re.compile(r"\[(\d{4})\] (UKSC|UKPC|EWCA Civ|EWCA Crim|EWHC|UKUT|UKFTT|CAT|EAT) (\d+)(?: \((\w+)\))?")

CONST = {
    "tfeu": "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:12016E/TXT",
    "teu": "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:12016M/TXT",
    "cfr": "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:12016P/TXT",
    "echr": "https://www.echr.coe.int/documents/d/echr/convention_ENG",
}


def nc_url(text):
    m = NC_RE.search(text)
    if not m:
        raise ValueError("no neutral citation in %r" % text)
    year, court, num, div = m.groups()
    court_l = {"UKSC": "uksc", "UKPC": "ukpc", "EWCA Civ": "ewca/civ", "EWCA Crim": "ewca/crim",
               "EWHC": "ewhc", "UKUT": "ukut", "UKFTT": "ukftt", "CAT": "cat", "EAT": "eat"}[court]
    if court in ("EWHC", "UKUT", "UKFTT"):
        if not div:
            raise ValueError("division missing in %r" % text)
        court_l += "/" + div.lower()
    return "https://caselaw.nationalarchives.gov.uk/%s/%s/%s" % (court_l, year, num)


def expand(url, text):
    if url == "":
        return ""
    if url in CONST:
        return CONST[url]
    if url == "nc":
        return nc_url(text)
    if url == "cu":
        m = re.search(r"\b([CT])-(\d+/\d{2})", text)
        if not m:
            raise ValueError("no case number in %r" % text)
        return "https://curia.europa.eu/juris/liste.jsf?num=%s-%s" % m.groups()
    if url == "hu":
        m = re.search(r"\b(\d{1,6}/\d{2})\b", text)
        if not m:
            raise ValueError("no application number in %r" % text)
        return 'https://hudoc.echr.coe.int/eng#{%22appno%22:[%22' + m.group(1) + '%22]}'
    if ":" in url and not url.startswith("http"):
        p, rest = url.split(":", 1)
        parts = rest.split("/")
        if p == "pga":
            u = "https://www.legislation.gov.uk/ukpga/%s/%s" % (parts[0], parts[1])
            if len(parts) == 3:
                u += "/section/" + parts[2]
            return u
        if p == "si":
            return "https://www.legislation.gov.uk/uksi/%s/%s" % tuple(parts)
        if p in ("reg", "dir", "regdel", "regimpl"):
            seg = {"reg": "reg", "dir": "dir", "regdel": "reg_del", "regimpl": "reg_impl"}[p]
            return "https://eur-lex.europa.eu/eli/%s/%s/%s/oj" % (seg, parts[0], parts[1])
        if p == "usc":
            return "https://www.law.cornell.edu/uscode/text/%s/%s" % tuple(parts)
        if p == "cfr":
            return "https://www.ecfr.gov/current/title-%s/section-%s" % tuple(parts)
        if p == "cfrpart":
            return "https://www.ecfr.gov/current/title-%s/part-%s" % tuple(parts)
        raise ValueError("unknown shorthand %r" % url)
    return url


def occurrence(text, start, sub):
    n, i = 0, text.find(sub)
    while i != -1 and i <= start:
        n += 1
        if i == start:
            return n
        i = text.find(sub, i + 1)
    raise ValueError("span not found")


TOKEN = re.compile(r"\[\[(.+?)\]\]|\{\{(.+?)\}\}")


def build(name):
    raw = open(os.path.join(SRC, name), encoding="utf-8").read()
    out, refs, nots = [], [], []
    pos, last = 0, 0
    for m in TOKEN.finditer(raw):
        out.append(raw[last:m.start()])
        pos += len(raw[last:m.start()])
        if m.group(1) is not None:
            f = m.group(1).split("|")
            if len(f) != 5:
                raise ValueError("%s: bad markup %r" % (name, m.group(0)))
            text, kind, jur, group, url = f
            if kind not in KINDS:
                raise ValueError("%s: bad kind %r" % (name, kind))
            if not group:
                group = kind + ":" + re.sub(r"\W+", "-", text.lower()).strip("-")
            refs.append({"start": pos, "text": text, "kind": kind, "jurisdiction": jur,
                         "group": group, "url": expand(url, text)})
        else:
            text = m.group(2)
            if text not in nots:
                nots.append(text)
        out.append(text)
        pos += len(text)
        last = m.end()
    out.append(raw[last:])
    body = "".join(out)
    if "[[" in body or "]]" in body or "{{" in body or "}}" in body:
        raise ValueError("%s: leftover markup" % name)
    for mk in MARKER_RE.finditer(body):
        if mk.group(0) not in nots:
            nots.append(mk.group(0))
    result = []
    for r in refs:
        result.append({"text": r["text"], "occurrence": occurrence(body, r["start"], r["text"]),
                       "kind": r["kind"], "jurisdiction": r["jurisdiction"],
                       "group": r["group"], "url": r["url"]})
    stem = name.split(".")[0]
    with open(os.path.join(HERE, stem + ".txt"), "w", encoding="utf-8") as fh:
        fh.write(body)
    with open(os.path.join(HERE, stem + ".json"), "w", encoding="utf-8") as fh:
        json.dump({"references": result, "not_references": nots}, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    return len(result)


if __name__ == "__main__":
    total = 0
    for n in sorted(os.listdir(SRC)):
        if n.endswith(".src"):
            total += build(n)
    print("built, references:", total)
