#!/usr/bin/env python3
"""Puts the annotator's links to UK sections in the recogniser's link form.

The annotator of this set was told that a provision of a UK Act links to
the Act (https://www.legislation.gov.uk/ukpga/2006/46); the recogniser links
one section to that section's page (.../ukpga/2006/46/section/994), which
legislation.gov.uk serves. This script rewrites, in place and once, the url
of every labelled reference whose text names exactly one section ("section
994 of ...", "s.996(2)(e)", "s 67(4) AA 1996") and whose url is an Act's
address, by the rule alone (no reference is looked at one by one). Lists and
ranges ("sections 90 and 90A", "ss.171-177"), Parts, Schedules and rules keep
the annotator's url. Run from this folder: python3 normalise_links.py
"""
import glob, json, re

ACT = re.compile(r'^https://www\.legislation\.gov\.uk/(ukpga|asp|nia|asc)/\d{4}/\d+$')
ONE = re.compile(r'^(?:new\s+)?(?:[Ss]ection|s\.?|sec\.?)\s*(\d+[A-Z]*)(?:\(\w+\))*(?!\s*(?:[-–,]|and\b|to\b|or\b)\s*\d)')
changed = 0
for f in sorted(glob.glob('[0-9][0-9].json')):
    d = json.load(open(f, encoding='utf-8'))
    for r in d['references']:
        m = ONE.match(r['text'])
        if r['kind'] == 'provision' and ACT.match(r['url']) and m:
            r['url'] += '/section/' + m.group(1)
            changed += 1
    with open(f, 'w', encoding='utf-8') as out:
        json.dump(d, out, indent=1, ensure_ascii=False)
        out.write('\n')
print(changed, 'links put in the section form')
