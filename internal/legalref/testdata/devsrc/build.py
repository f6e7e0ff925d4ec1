#!/usr/bin/env python3
"""Builds the development set (../dev/NN.txt + NN.json) from the annotated
sources here: [[text]]{kind,jurisdiction,group,url} marks a reference (url -
for none), <<text>> a phrase that must not be reported."""
import glob, json, os
here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, '..', 'dev')
for src in sorted(glob.glob(os.path.join(here, '*.md'))):
    s = open(src, encoding='utf-8').read()
    text, refs, nots, i = '', [], [], 0
    while i < len(s):
        if s.startswith('[[', i):
            j = s.index(']]{', i)
            t = s[i+2:j]
            k, depth = j + 3, 1
            while depth:
                depth += {'{': 1, '}': -1}.get(s[k], 0)
                k += 1
            kind, jur, group, url = s[j+3:k-1].split(',', 3)
            text += t
            refs.append({'text': t, 'occurrence': text.count(t) - 0 if False else None, 'kind': kind,
                         'jurisdiction': jur, 'group': group, 'url': '' if url == '-' else url, '_end': len(text)})
            i = k
        elif s.startswith('<<', i):
            j = s.index('>>', i)
            t = s[i+2:j]
            text += t
            nots.append(t)
            i = j + 2
        else:
            text += s[i]
            i += 1
    for r in refs:
        # occurrence: which occurrence of text ends at _end
        start, n, pos = r['_end'] - len(r['text']), 0, -1
        while True:
            pos = text.find(r['text'], pos + 1)
            n += 1
            if pos == start:
                break
        r['occurrence'] = n
        del r['_end']
    name = os.path.splitext(os.path.basename(src))[0]
    open(os.path.join(out, name + '.txt'), 'w', encoding='utf-8').write(text)
    json.dump({'references': refs, 'not_references': nots}, open(os.path.join(out, name + '.json'), 'w', encoding='utf-8'), indent=1, ensure_ascii=False)
    print(name, len(refs), 'references')
