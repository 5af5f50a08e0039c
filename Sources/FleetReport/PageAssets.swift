/// The page's fixed parts: its style sheet, its script and its security policy. Nothing here comes from data.
enum PageAssets {
    /// No fetch of any kind (`default-src 'none'`): only the inline style and script run. A page that someone edits
    /// to load a remote resource still cannot reach another host.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
        + "base-uri 'none'; form-action 'none'"

    /// The instance table's columns, in the order `PageScript` fills them.
    static let columns = [
        "Name", "Customer", "Type", "Channel", "Desired", "Running", "State", "Last operation", "Result", "Time",
        "Lock",
    ]

    static let css = """
        body{font:14px/1.4 system-ui,sans-serif;margin:0 2rem 3rem;color:#222;background:#fff}
        h1{margin:1rem 0 .2rem}h2{border-bottom:1px solid #ddd;margin-top:2rem}
        .meta{color:#666;margin:0}nav a{margin-right:1rem}
        .notice{background:#fff4ce;border:1px solid #e0c060;padding:.4rem .6rem}
        .counts{display:flex;gap:3rem}table.count th{text-align:left;font-weight:normal;padding-right:1rem}
        table.count caption{text-align:left;font-weight:bold}
        table.rollout th,table.rollout td{border-bottom:1px solid #eee;padding:.2rem .5rem;text-align:left}
        table.rollout tr.halted td{background:#fde8e8}.gate.open{color:#067}.gate.over-budget{color:#a00}
        svg text{font:12px system-ui,sans-serif;fill:#222}svg text.ch{font-weight:bold}
        table{border-collapse:collapse}#fleet-table{width:100%}
        #fleet-table th,#fleet-table td,.detail th,.detail td{border-bottom:1px solid #eee;padding:.2rem .5rem;
        text-align:left;vertical-align:top}
        #fleet-table th{cursor:pointer;background:#f6f6f6;position:sticky;top:0;user-select:none}
        #fleet-table th[aria-sort=ascending]::after{content:" ▲"}
        #fleet-table th[aria-sort=descending]::after{content:" ▼"}
        tr.failed td{background:#fde8e8}tr.locked td:last-child{background:#fff4ce}
        #filter{width:28rem;max-width:90%;padding:.3rem}
        .instance{border:2px solid #0072B2;padding:0 1rem 1rem;margin-top:2rem}
        .badge{display:inline-block;border-radius:.6rem;padding:0 .5rem;margin-right:.3rem;background:#eee}
        .badge.failed{background:#f8c0c0}.badge.locked{background:#ffe28a}.badge.outside{background:#cde}
        .error{color:#a00;white-space:pre-wrap}code{font:12px ui-monospace,monospace}
        ol.timeline{list-style:none;padding-left:1rem;border-left:3px solid #ccc}
        ol.timeline li{margin:.3rem 0;position:relative}
        ol.timeline li::before{content:"";position:absolute;left:-1.45rem;top:.35rem;width:.7rem;height:.7rem;
        border-radius:50%;background:#009E73}
        ol.timeline li.failed::before,ol.timeline li.interrupted::before{background:#D55E00}
        ol.timeline li.deferred::before,ol.timeline li.cancelled::before{background:#999}
        """

    /// Builds the table from the data island, then sorts, filters (`?q=` too) and shows `#instance-NAME` details.
    /// Every value reaches the page through `textContent`, never as markup.
    static let script = """
        (() => {
        'use strict';
        const data = JSON.parse(document.getElementById('fleet-data').textContent);
        const S = data.s, E = data.e, now = data.now;
        const FAILED = 1, LOCKED = 2, OUTSIDE = 4, ORPHANED = 8, NOT_APPLIED = 16, PENDING = 32;
        const el = (tag, cls, text) => {
          const e = document.createElement(tag);
          if (cls) e.className = cls;
          if (text !== undefined) e.textContent = String(text);
          return e;
        };
        const iso = (min) => new Date((now - min * 60) * 1000).toISOString().slice(0, 16).replace('T', ' ') + 'Z';
        const ago = (min) => min < 1 ? 'just now' : min < 60 ? min + 'm ago'
          : min < 1440 ? Math.floor(min / 60) + 'h ago' : Math.floor(min / 1440) + 'd ago';
        const state = (r) => {
          const want = S[r[6]], have = S[r[7]];
          if (!have) return want ? want + ' (not applied)' : '-';
          return want && want !== have ? have + ' → ' + want : have;
        };
        const cells = (r) => {
          const ops = r[11], some = ops.length > 0;
          return [r[0], r[1] || '-', S[r[2]] || '-', S[r[3]] || '-', S[r[4]] || '-', S[r[5]] || '-', state(r),
            some ? S[ops[0]] : 'never', some ? E.result[ops[1]] : '', some ? iso(ops[3]) : '', r[9] ? S[r[9][0]] : ''];
        };
        const tbody = document.querySelector('#fleet-table tbody');
        const byName = new Map();
        const rows = data.i.map((r) => {
          byName.set(r[0], r);
          const tr = el('tr');
          if (r[8] & FAILED) tr.classList.add('failed');
          if (r[8] & LOCKED) tr.classList.add('locked');
          tr.dataset.name = r[0];
          const text = cells(r);
          text.forEach((t, k) => {
            const td = el('td');
            if (k === 0) {
              const a = el('a', null, t);
              a.href = '#instance-' + encodeURIComponent(r[0]);
              td.append(a);
            } else {
              td.textContent = t;
            }
            tr.append(td);
          });
          tbody.append(tr);
          return {r, tr, text, hay: text.join('\\u0001').toLowerCase()};
        });
        const version = (v) => v.split('.').map((n) => Number(n) || 0);
        const compare = (a, b, col) => {
          if (col === 4 || col === 5) {
            const x = version(a.text[col]), y = version(b.text[col]);
            for (let k = 0; k < 3; k++) if (x[k] !== y[k]) return (x[k] || 0) - (y[k] || 0);
            return 0;
          }
          if (col === 9) {
            const x = a.r[11].length ? -a.r[11][3] : -Infinity, y = b.r[11].length ? -b.r[11][3] : -Infinity;
            return x === y ? 0 : x < y ? -1 : 1;
          }
          return a.text[col].localeCompare(b.text[col]);
        };
        let sortCol = 0, direction = 1;
        const headers = [...document.querySelectorAll('#fleet-table th')];
        const sortBy = (col) => {
          direction = col === sortCol ? -direction : 1;
          sortCol = col;
          rows.sort((a, b) => direction * compare(a, b, col) || a.r[0].localeCompare(b.r[0]));
          const fragment = document.createDocumentFragment();
          for (const row of rows) fragment.append(row.tr);
          tbody.append(fragment);
          headers.forEach((h, k) => h.setAttribute('aria-sort',
            k === col ? (direction > 0 ? 'ascending' : 'descending') : 'none'));
        };
        headers.forEach((h, k) => {
          h.addEventListener('click', () => sortBy(k));
          h.addEventListener('keydown', (e) => { if (e.key === 'Enter') sortBy(k); });
        });
        headers[0].setAttribute('aria-sort', 'ascending');
        const input = document.getElementById('filter'), shown = document.getElementById('shown');
        const filter = () => {
          const q = input.value.trim().toLowerCase();
          let count = 0;
          for (const row of rows) {
            const hit = !q || row.hay.includes(q);
            row.tr.hidden = !hit;
            if (hit) count++;
          }
          shown.textContent = count + ' of ' + rows.length + ' shown';
        };
        input.value = new URLSearchParams(location.search).get('q') || '';
        input.addEventListener('input', () => {
          filter();
          try {
            const url = new URL(location.href);
            if (input.value) url.searchParams.set('q', input.value); else url.searchParams.delete('q');
            history.replaceState(null, '', url);
          } catch (e) { /* some file: URLs refuse replaceState; the filter works regardless */ }
        });
        filter();
        const table = (heads, lines) => {
          const t = el('table', 'detail'), head = el('tr');
          for (const h of heads) head.append(el('th', null, h));
          t.append(head);
          for (const line of lines) {
            const tr = el('tr');
            for (const cell of line) {
              if (cell instanceof Node) { const td = el('td'); td.append(cell); tr.append(td); }
              else tr.append(el('td', null, cell));
            }
            t.append(tr);
          }
          return t;
        };
        const details = (r) => {
          const section = el('section', 'instance');
          section.id = 'instance-' + r[0];
          section.append(el('h2', null, r[0]));
          const badges = el('p');
          const flags = [[FAILED, 'failed', 'last operation failed'], [LOCKED, 'locked', 'locked'],
            [OUTSIDE, 'outside', 'changes wait for the window'], [PENDING, '', 'has pending changes'],
            [ORPHANED, '', 'orphaned: no instance file'], [NOT_APPLIED, '', 'not applied yet']];
          for (const [bit, cls, label] of flags) if (r[8] & bit) badges.append(el('span', 'badge ' + cls, label));
          section.append(badges);
          if (r[9]) {
            const [holder, since, left] = r[9];
            section.append(el('p', 'notice', 'Locked by ' + S[holder] + ' since ' + iso(since) + ' ('
              + (left >= 0 ? 'lease ends in ' + left + 'm' : 'lease expired ' + ago(-left)) + ').'));
          }
          // U+0001 stands for the instance's name in cloud ids and attributes (see PageData.swift).
          const named = (t) => t.split('\\u0001').join(r[0]);
          section.append(table(['customer', 'type', 'channel', 'desired', 'running', 'state', 'size', 'region',
            'domain', 'maintenance window', 'protected'], [[r[1] || '-', S[r[2]] || '-', S[r[3]] || '-',
            S[r[4]] || '-', S[r[5]] || '-', state(r), S[r[13]] || '-', S[r[14]] || '-', named(S[r[16]]) || '-',
            S[r[15]] || '-', r[17] ? 'yes' : 'no']]));
          const res = r[10], resLines = [];
          for (let k = 0; k < res.length; k += 4) {
            resLines.push([E.resource[res[k]], el('code', null, named(S[res[k + 1]] + res[k + 2])),
              named(S[res[k + 3]])]);
          }
          section.append(el('h3', null, 'Resources'));
          section.append(resLines.length ? table(['resource', 'cloud id', 'attributes'], resLines)
            : el('p', null, 'Nothing recorded.'));
          const ops = r[11], steps = r[12];
          section.append(el('h3', null, 'Last ' + steps.length / 5 + ' steps (newest first)'));
          const stepLines = [];
          for (let k = 0; k < steps.length; k += 5) {
            const op = steps[k], code = steps[k + 2];
            stepLines.push([op >= 0 ? iso(ops[op * 6 + 3]) : '', steps[k + 1] + 1, E.action[Math.floor(code / 1000)],
              E.resource[Math.floor(code / 10) % 100], E.status[code % 10], steps[k + 3],
              el('span', 'error', S[steps[k + 4]])]);
          }
          section.append(stepLines.length ? table(['operation', '#', 'action', 'resource', 'status', 'attempts',
            'error'], stepLines) : el('p', null, 'No steps journaled.'));
          section.append(el('h3', null, 'Timeline of the last ' + ops.length / 6 + ' operations'));
          const timeline = el('ol', 'timeline');
          for (let k = 0; k < ops.length; k += 6) {
            const li = el('li', E.result[ops[k + 1]]);
            const took = ops[k + 4] < 0 ? 'still running' : 'took ' + ops[k + 4] + 's';
            li.append(el('b', null, iso(ops[k + 3])), ' ' + S[ops[k]] + ' ' + E.result[ops[k + 1]] + ', ' + took
              + ', by ' + S[ops[k + 2]] + ' (' + ago(ops[k + 3]) + ')');
            if (ops[k + 5]) li.append(el('div', 'error', S[ops[k + 5]]));
            timeline.append(li);
          }
          section.append(ops.length ? timeline : el('p', null, 'No operations journaled.'));
          section.append(el('p', 'meta', 'Older history: cloudctl history ' + r[0]));
          return section;
        };
        const show = () => {
          const box = document.getElementById('details');
          let hash = '';
          try { hash = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
          if (!hash.startsWith('instance-')) return;
          const r = byName.get(hash.slice('instance-'.length));
          box.replaceChildren(r ? details(r) : el('p', 'notice', 'No instance ' + hash.slice(9) + ' on this page.'));
          box.firstChild.scrollIntoView();
        };
        window.addEventListener('hashchange', show);
        show();
        document.body.dataset.ready = 'true';
        })();
        """
}
