#!/usr/bin/env python3
"""Build NN.txt / NN.json from annotated sources in src/.
Markup: [[text|kind|jur|group|url]] for references, {{text}} for look-alike non-references.
Citation markers are detected automatically and added to not_references."""
import json, re, os, glob
HERE = os.path.dirname(os.path.abspath(__file__))
TOK = re.compile(r'\[\[(.+?)\]\]|\{\{(.+?)\}\}')
MARK = re.compile(r'\((\d+(?:, \d+)*)\)(?=\s*$|\s*\n)', re.M)

def build(path):
    raw = open(path, encoding='utf-8').read()
    out, refs, nots, pos = [], [], [], 0
    for m in TOK.finditer(raw):
        out.append(raw[pos:m.start()])
        cur = ''.join(out)
        if m.group(1) is not None:
            f = m.group(1).split('|')
            assert len(f) == 5, f
            text, kind, jur, group, url = f
            refs.append((len(cur), text, kind, jur, group, url))
            out.append(text)
        else:
            nots.append(m.group(2)); out.append(m.group(2))
        pos = m.end()
    out.append(raw[pos:])
    txt = ''.join(out)
    res = []
    for start, text, kind, jur, group, url in refs:
        occ, i = 0, -1
        while True:
            i = txt.find(text, i + 1)
            assert i != -1
            occ += 1
            if i == start: break
        res.append({"text": text, "occurrence": occ, "kind": kind, "jurisdiction": jur, "group": group, "url": url})
    markers = []
    for m in re.finditer(r'\(\d+(?:, \d+)*\)(?:\(\d+\))*(?=\s|$)', txt):
        # only markers at sentence/paragraph ends (preceded by a space)
        if m.start() > 1 and txt[m.start()-1] == ' ' and txt[m.start()-2] in '.!?"\u201d':
            markers.append(m.group(0))
    nl = []
    for s in nots + markers:
        if s not in nl: nl.append(s)
    return txt, {"references": res, "not_references": nl}

for p in sorted(glob.glob(os.path.join(HERE, 'src', '*.txt'))):
    n = os.path.basename(p)[:-4]
    txt, j = build(p)
    open(os.path.join(HERE, n + '.txt'), 'w', encoding='utf-8').write(txt)
    json.dump(j, open(os.path.join(HERE, n + '.json'), 'w', encoding='utf-8'), indent=1, ensure_ascii=False)
    print(n, len(j['references']), 'refs', len(txt.split()), 'words')
