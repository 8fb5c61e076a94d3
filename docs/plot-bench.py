#!/usr/bin/env python3
# plot-bench.py: draws the results of `dial-bench --json` as an SVG bar chart.
#
# Copyright 2026 The libdial developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Python's standard library only: the SVG is written by hand. One panel per
# measurement, each with its own linear scale (the measurements have
# different units), a bar for GIO and a bar for libdial, their values, and
# the ratio Dial/GIO.
#
#   build/bench/dial-bench --json > docs/bench-results.json
#   python3 docs/plot-bench.py docs/bench-results.json -o docs/images/bench.svg
#
# With no file, or "-", it reads standard input; with no -o, it writes to
# standard output.

import argparse
import json
import sys
from xml.sax.saxutils import escape

# key in the JSON => (title, unit)
MEASUREMENTS = [
    ('sync_connect_us',
     'sync connect to 127.0.0.1, time per connect', 'µs'),
    ('async_connects_per_s',
     'async connects, {in_flight} in flight, throughput', 'connects/s'),
    ('happy_eyeballs_ms',
     'Happy Eyeballs, async, first connect, IPv6 black-holed', 'ms'),
    ('happy_eyeballs_sync_ms',
     'Happy Eyeballs, sync, timeout = {timeout} s', 'ms'),
    ('happy_eyeballs_repeat_ms',
     'Happy Eyeballs, repeat connect (Dial: family cache)', 'ms'),
]

WIDTH = 760
LEFT = 70            # where bars start
BAR_SPACE = 430      # the longest bar of a panel
BAR_HEIGHT = 18
PANEL_HEIGHT = 86
TOP = 78
COLOURS = {'gio': '#888a85', 'dial': '#3465a4'}
NAMES = {'gio': 'GIO', 'dial': 'Dial'}


def number(value):
    """A value with as many digits as it deserves."""
    if value >= 1000:
        return f'{value:,.0f}'
    if value >= 100:
        return f'{value:.1f}'
    if value >= 1:
        return f'{value:.2f}'
    return f'{value:.2g}'


def ratio_text(ratio):
    return f'{ratio:.2g}' if ratio < 0.1 else f'{ratio:.2f}'


class Svg:
    def __init__(self):
        self.parts = []

    def text(self, x, y, content, **attributes):
        extra = ''.join(f' {name.replace("_", "-")}="{value}"'
                        for name, value in attributes.items())
        self.parts.append(f'<text x="{x}" y="{y}"{extra}>{escape(content)}</text>')

    def rect(self, x, y, width, height, fill):
        self.parts.append(f'<rect x="{x}" y="{y}" width="{width:.1f}" '
                          f'height="{height}" fill="{fill}"/>')

    def line(self, x1, y1, x2, y2, stroke):
        self.parts.append(f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" '
                          f'stroke="{stroke}"/>')

    def document(self, height, title):
        return '\n'.join([
            '<?xml version="1.0" encoding="UTF-8"?>',
            # (No double hyphen may appear in an XML comment.)
            '<!-- Made by docs/plot-bench.py from the JSON that dial-bench '
            'prints. Do not edit: regenerate (docs/performance.md). -->',
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" '
            f'height="{height}" viewBox="0 0 {WIDTH} {height}" '
            'font-family="Cantarell, \'Open Sans\', \'DejaVu Sans\', sans-serif" '
            'font-size="12" fill="#2e3436">',
            f'<title>{escape(title)}</title>',
            f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
            *self.parts,
            '</svg>',
            '',
        ])


def panel(svg, y, title, unit, result):
    svg.text(20, y, title, font_weight='bold')
    if result is None:
        svg.text(20, y + 22, 'skipped: this machine has no IPv6 loopback',
                 fill='#555753')
        return

    better = 'lower is better' if result['lower_is_better'] else 'higher is better'
    svg.text(WIDTH - 20, y, f'{unit}, {better}', text_anchor='end',
             fill='#555753')

    largest = max(result['gio'], result['dial'])
    for row, who in enumerate(('gio', 'dial')):
        value = result[who]
        top = y + 10 + row * (BAR_HEIGHT + 6)
        # At least a hairline, so that a bar of 0.0005 of the other shows.
        width = max(BAR_SPACE * value / largest, 1.5) if largest > 0 else 1.5
        svg.text(LEFT - 8, top + 13, NAMES[who], text_anchor='end')
        svg.rect(LEFT, top, width, BAR_HEIGHT, COLOURS[who])
        svg.text(LEFT + width + 6, top + 13, f'{number(value)} {unit}')

    svg.text(WIDTH - 20, y + 10 + BAR_HEIGHT + 13,
             f'Dial/GIO {ratio_text(result["ratio"])}', text_anchor='end',
             font_weight='bold')


def plot(results):
    svg = Svg()
    heading = "dial-bench: libdial's DialSocketClient against GIO's GSocketClient"
    svg.text(20, 28, heading, font_size='16', font_weight='bold')
    svg.text(20, 48,
             f'GLib {results["glib_version"]}, libdial {results["dial_version"]}; '
             f'the median of {results["rounds"]} rounds per client; '
             'each panel has its own scale', fill='#555753')

    y = TOP
    for key, title, unit in MEASUREMENTS:
        result = results.get(key)
        title = title.format(in_flight=results.get('async_in_flight', '?'),
                             timeout=(result or {}).get('timeout_s', '?'))
        svg.line(20, y - 18, WIDTH - 20, y - 18, '#d3d7cf')
        panel(svg, y, title, unit, result)
        y += PANEL_HEIGHT

    return svg.document(y - 10, heading)


def main():
    parser = argparse.ArgumentParser(
        description='Draws `dial-bench --json` output as an SVG bar chart.')
    parser.add_argument('input', nargs='?', default='-',
                        help='the JSON file (default: standard input)')
    parser.add_argument('-o', '--output', default='-',
                        help='the SVG file (default: standard output)')
    args = parser.parse_args()

    if args.input == '-':
        results = json.load(sys.stdin)
    else:
        with open(args.input, encoding='utf-8') as f:
            results = json.load(f)

    document = plot(results)
    if args.output == '-':
        sys.stdout.write(document)
    else:
        with open(args.output, 'w', encoding='utf-8') as f:
            f.write(document)


if __name__ == '__main__':
    main()
