#!/usr/bin/env python3
"""Validate the NN.txt / NN.json pairs in this directory. Prints errors; exit 1 if any."""
import json, os, re, sys
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = {"legislation", "provision", "regulation", "directive", "treaty", "case", "court", "rule"}
HEADINGS = ["What just happened?", "What does this mean?", "How will this affect the legal sector?"]
MARKER_RE = re.compile(r"(?<![\w)\]])\(\d{1,2}(?:, \d{1,2})*\)(?:\(\d{1,2}\))*")
NC_RE = re.compile(r"\[(\d{4})\] (UKSC|UKPC|EWCA Civ|EWCA Crim|EWHC|UKUT|UKFTT|CAT|EAT) (\d+)(?: \((\w+)\))?")
URL_RES = [
    r"https://www\.legislation\.gov\.uk/ukpga/\d{4}/\d+(/section/\d+[A-Z]*)?",
    r"https://www\.legislation\.gov\.uk/uksi/\d{4}/\d+",
    r"https://caselaw\.nationalarchives\.gov\.uk/(uksc|ukpc|ewca/civ|ewca/crim|ewhc/[a-z]+|ukut/[a-z]+|ukftt/[a-z]+|cat|eat)/\d{4}/\d+",
    r"https://eur-lex\.europa\.eu/eli/(reg|dir|dec|reg_del|reg_impl|dec_impl)/\d{4}/\d+/oj",
    r"https://eur-lex\.europa\.eu/legal-content/EN/TXT/\?uri=CELEX:12016[EMP]/TXT",
    r"https://curia\.europa\.eu/juris/liste\.jsf\?num=[CT]-\d+/\d{2}",
    r"https://www\.echr\.coe\.int/documents/d/echr/convention_ENG",
    r"https://hudoc\.echr\.coe\.int/eng#\{%22appno%22:\[%22\d+/\d{2}%22\]\}",
    r"https://www\.law\.cornell\.edu/uscode/text/\d+/\d+[a-z0-9-]*",
    r"https://www\.ecfr\.gov/current/title-\d+/(section-[\d.a-z-]+|part-\d+)",
]


def nc_url(text):
    m = NC_RE.search(text)
    if not m:
        return None
    year, court, num, div = m.groups()
    c = {"UKSC": "uksc", "UKPC": "ukpc", "EWCA Civ": "ewca/civ", "EWCA Crim": "ewca/crim",
         "EWHC": "ewhc", "UKUT": "ukut", "UKFTT": "ukftt", "CAT": "cat", "EAT": "eat"}[court]
    if div:
        c += "/" + div.lower()
    return "https://caselaw.nationalarchives.gov.uk/%s/%s/%s" % (c, year, num)


def positions(text, sub):
    out, i = [], text.find(sub)
    while i != -1:
        out.append(i)
        i = text.find(sub, i + 1)
    return out


def check(stem):
    errs = []
    E = lambda msg: errs.append("%s: %s" % (stem, msg))
    text = open(os.path.join(HERE, stem + ".txt"), encoding="utf-8").read()
    try:
        data = json.load(open(os.path.join(HERE, stem + ".json"), encoding="utf-8"))
    except Exception as ex:
        return ["%s: bad json %s" % (stem, ex)]
    if set(data) != {"references", "not_references"}:
        E("top-level keys %s" % sorted(data))
        return errs
    # format
    lines = text.split("\n")
    if not lines[0].strip() or lines[1].strip() != "":
        E("title line + blank line expected")
    hpos = [i for i, l in enumerate(lines) if l.strip() in HEADINGS]
    if [lines[i].strip() for i in hpos] != HEADINGS:
        E("headings missing/out of order")
    else:
        for a, b in zip(hpos, hpos[1:] + [len(lines)]):
            if not any(l.strip() for l in lines[a + 1:b]):
                E("empty section after %r" % lines[a])
    words = len(text.split())
    if not 250 <= words <= 400:
        E("word count %d" % words)
    spans = []
    groups = defaultdict(set)
    group_members = defaultdict(list)
    for r in data["references"]:
        if set(r) != {"text", "occurrence", "kind", "jurisdiction", "group", "url"}:
            E("ref keys %s" % sorted(r)); continue
        t, occ = r["text"], r["occurrence"]
        if not isinstance(t, str) or not t or not isinstance(occ, int) or occ < 1:
            E("bad text/occurrence %r" % r); continue
        if r["kind"] not in KINDS:
            E("bad kind %r" % r)
        if not re.fullmatch(r"[a-z]{2,4}", r["jurisdiction"]):
            E("bad jurisdiction %r" % r)
        if t.lower().startswith("the ") or t != t.strip():
            E("leading 'the' or whitespace: %r" % t)
        pos = positions(text, t)
        if len(pos) < occ:
            E("text %r occurrence %d not found (%d found)" % (t, occ, len(pos))); continue
        s = pos[occ - 1]
        spans.append((s, s + len(t), t))
        groups[r["group"]].add((r["url"], r["kind"], r["jurisdiction"]))
        group_members[r["group"]].append(t)
        u = r["url"]
        if u:
            if not any(re.fullmatch(p, u) for p in URL_RES):
                E("URL form %r for %r" % (u, t))
        # case URL vs neutral citation
        nu = nc_url(t)
        if r["kind"] == "case" and nu and u != nu:
            E("case URL %r != neutral citation %r" % (u, nu))
        if nu and r["kind"] != "case":
            E("neutral citation in non-case %r" % t)
        m = re.search(r"\b([CT])-(\d+/\d{2})", t)
        if r["kind"] == "case" and m and "Joined" not in t:
            want = "https://curia.europa.eu/juris/liste.jsf?num=%s-%s" % m.groups()
            if u != want:
                E("curia URL %r != %r" % (u, want))
        if "curia" in u and not m:
            if not any(re.search(r"\b[CT]-\d+/\d{2}", x) for x in group_members[r["group"]]):
                E("curia URL without case number %r" % t)
        if "caselaw.nationalarchives" in u and not nu:
            pass  # checked below at group level
        if "hudoc" in u:
            m2 = re.search(r"\b(\d{1,6}/\d{2})\b", t)
            if m2 and m2.group(1) not in u:
                E("hudoc appno mismatch %r" % t)
        ms = re.search(r"/section/(\d+[A-Z]*)$", u)
        if ms:
            n = ms.group(1)
            if not re.search(r"(?:\b[Ss]ection|\bs\.|\bs|§)\s?" + re.escape(n) + r"(?![0-9A-Z])", t):
                E("section URL %r does not match text %r" % (u, t))
            if re.search(r"\b(sections|ss\.?)\s", t):
                E("range/list with section URL %r" % t)
        if r["kind"] == "provision" and re.search(r"\b(Part|Schedule)\b", t) and "/section/" in u:
            E("Part/Schedule with section URL %r" % t)
    for g, vals in groups.items():
        if len(vals) > 1:
            E("group %r inconsistent: %s" % (g, vals))
        urls = {v[0] for v in vals}
        for uu in urls:
            if "caselaw.nationalarchives" in uu:
                if not any(nc_url(x) == uu for x in group_members[g]):
                    E("group %r caselaw URL without matching citation" % g)
    spans.sort()
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]:
            E("overlap %r / %r" % (a[2], b[2]))
    reftexts = {s[2] for s in spans}
    nots = data["not_references"]
    if not isinstance(nots, list) or not all(isinstance(x, str) for x in nots):
        E("not_references must be list of str")
        nots = []
    for n in nots:
        pos = positions(text, n)
        if not pos:
            E("not_reference %r not in text" % n)
        if n in reftexts:
            E("not_reference equals a reference %r" % n)
        free = [p for p in pos if not any(p < e and p + len(n) > s for s, e, _ in spans)]
        if pos and not free:
            E("not_reference %r only inside references" % n)
    for mk in MARKER_RE.finditer(text):
        if mk.group(0) not in nots:
            E("marker %r not listed" % mk.group(0))
        if any(mk.start() < e and mk.end() > s for s, e, _ in spans):
            E("marker inside reference %r" % mk.group(0))
    return errs


def main():
    stems = sorted(f[:-4] for f in os.listdir(HERE) if re.fullmatch(r"\d\d\.txt", f))
    allerr = []
    kinds, jurs, nurl, nref = Counter(), Counter(), 0, 0
    for s in stems:
        allerr += check(s)
        d = json.load(open(os.path.join(HERE, s + ".json"), encoding="utf-8"))
        for r in d["references"]:
            kinds[r["kind"]] += 1; jurs[r["jurisdiction"]] += 1; nref += 1
            nurl += bool(r["url"])
    for e in allerr:
        print(e)
    print("files %d, references %d, with url %d" % (len(stems), nref, nurl))
    print("kinds", dict(kinds.most_common()))
    print("jurisdictions", dict(jurs.most_common()))
    print("errors", len(allerr))
    return 1 if allerr else 0


if __name__ == "__main__":
    sys.exit(main())
