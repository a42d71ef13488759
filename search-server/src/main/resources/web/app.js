// Bindery's web page: pick a collection, search with the expression syntax or dropped media, build
// queries with weights, filter (by hand or by clicking a facet), page through the hits, find more
// like a hit (recommend), read per-hit explanations and ask questions over the collection.
// Every string from the server or the user reaches the page through textContent or a property,
// never as HTML.

import {ApiError, apiKey, call, collectionPath, setApiKey, setMediaSource} from './api.js';
import {buildQuery, composeExpression, errorColumn, errorReason, recommendItem} from './query.js';

const $ = (id) => document.getElementById(id);

/** Largest file the page sends as a query term; the server's body limit is 32 MiB by default. */
const MAX_UPLOAD_BYTES = 24 * 1024 * 1024;

/** Media types by extension, for files the browser gives no (or an odd) type. */
const MEDIA_TYPES = {
  png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif', bmp: 'image/bmp',
  webp: 'image/webp', tif: 'image/tiff', tiff: 'image/tiff', wav: 'audio/wav', flac: 'audio/flac',
  mp3: 'audio/mpeg', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/opus', m4a: 'audio/mp4',
  aac: 'audio/aac',
};

const state = {
  collections: [],
  collection: null,
  media: [], // [{id, kind, name, dataUrl, previewUrl, weight, sign}]
  builder: [], // [{id, sign, weight, kind, value, file}]
  filters: [], // [{id, field, op, value, from, to}]
  facetFilters: [], // [{field, label, clause}]: filters added by clicking a facet, shown as chips
  page: null, // {body, typed, offset, k}: the last search, so its pages can be fetched

  releases: [], // functions that free blob URLs of the rendered hits
  nextId: 1,
};

// ------------------------------------------------------------------ helpers

/** Makes an element: el('button', {type: 'button', className: 'x'}, 'text', child...). */
function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'dataset') {
      Object.assign(e.dataset, v);
    } else if (k.startsWith('aria-') || k === 'role' || k === 'for') {
      e.setAttribute(k, String(v));
    } else if (k.startsWith('on') && typeof v === 'function') {
      e.addEventListener(k.slice(2), v);
    } else {
      e[k] = v;
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function fmt(x, digits) {
  return typeof x === 'number' && Number.isFinite(x) ? x.toFixed(digits) : '–';
}

function fieldsOf(collection) {
  return (collection && collection.fields) || {};
}

function showAlert(error) {
  const box = $('alert');
  box.replaceChildren();
  if (!error) {
    box.hidden = true;
    return;
  }
  const p = error instanceof ApiError
    ? error.problem
    : {title: 'Error', detail: error && error.message ? error.message : String(error)};
  box.append(el('strong', {}, p.title || 'Error'), ' ', errorReason(p) || '');
  if (error instanceof ApiError && error.status === 401) {
    box.append(' ', el('span', {}, 'Enter an API key above.'));
  }
  box.hidden = false;
}

function setStatus(text) {
  $('status').textContent = text;
}

// ------------------------------------------------------------------ collections

async function loadCollections() {
  const select = $('collection');
  try {
    const body = await call('GET', '/v1/collections');
    state.collections = (body && body.collections) || [];
    showAlert(null);
  } catch (e) {
    state.collections = [];
    showAlert(e);
  }
  select.replaceChildren();
  for (const c of state.collections) {
    select.append(el('option', {value: c.name}, c.name));
  }
  if (state.collections.length === 0) {
    select.append(el('option', {value: '', disabled: true, selected: true}, 'no collections'));
  }
  const wanted = new URLSearchParams(location.search).get('collection')
    || sessionStorage.getItem('bindery.collection');
  const pick = state.collections.find((c) => c.name === wanted) || state.collections[0] || null;
  if (pick) {
    select.value = pick.name;
  }
  selectCollection(pick ? pick.name : null);
}

function selectCollection(name) {
  state.collection = state.collections.find((c) => c.name === name) || null;
  const info = $('collection-info');
  if (state.collection) {
    sessionStorage.setItem('bindery.collection', name);
    const spaces = Object.entries(state.collection.spaces || {})
      .map(([s, cfg]) => s + ' (' + cfg.dim + '-d)').join(', ');
    info.textContent = state.collection.count + ' items' + (spaces ? ' · ' + spaces : '');
  } else {
    info.textContent = '';
  }
  state.filters = [];
  state.facetFilters = [];
  renderFilters();
  renderChips();
  document.body.dataset.collection = name || '';
}

// ------------------------------------------------------------------ media terms (drop, picker)

function mediaTypeOf(file) {
  const ext = (file.name.split('.').pop() || '').toLowerCase();
  const known = Object.values(MEDIA_TYPES);
  if (file.type && known.includes(file.type)) return file.type;
  if (file.type === 'audio/x-wav' || file.type === 'audio/wave' || file.type === 'audio/vnd.wave') {
    return 'audio/wav';
  }
  return MEDIA_TYPES[ext] || file.type || '';
}

function readAsDataUrl(file, mime) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => {
      const url = String(reader.result);
      // Re-label the bytes with the type the server knows (the browser may say x-wav or nothing).
      const comma = url.indexOf(',');
      resolve('data:' + mime + ';base64,' + url.slice(comma + 1));
    };
    reader.onerror = () => reject(reader.error || new Error('cannot read ' + file.name));
    reader.readAsDataURL(file);
  });
}

/** Reads files into media terms; returns the terms, or throws with a message naming the file. */
async function mediaFromFiles(files) {
  const terms = [];
  for (const file of files) {
    const mime = mediaTypeOf(file);
    const kind = mime.startsWith('image/') ? 'image' : mime.startsWith('audio/') ? 'audio' : null;
    if (!kind) {
      throw new Error('"' + file.name + '" is not an image or audio file Bindery reads'
        + (file.type ? ' (' + file.type + ')' : ''));
    }
    if (file.size > MAX_UPLOAD_BYTES) {
      throw new Error('"' + file.name + '" is ' + Math.round(file.size / 1048576)
        + ' MiB; the page sends files up to ' + MAX_UPLOAD_BYTES / 1048576 + ' MiB');
    }
    const dataUrl = await readAsDataUrl(file, mime);
    terms.push({
      id: state.nextId++, kind, name: file.name, dataUrl,
      previewUrl: URL.createObjectURL(file), weight: 1, sign: 1,
    });
  }
  return terms;
}

async function addFiles(files, search) {
  if (!files || files.length === 0) return;
  try {
    const terms = await mediaFromFiles(files);
    state.media.push(...terms);
    showAlert(null);
  } catch (e) {
    showAlert(e);
    return;
  }
  renderMedia();
  if (search) {
    runSearch();
  }
}

function removeMedia(id) {
  const m = state.media.find((x) => x.id === id);
  if (m) URL.revokeObjectURL(m.previewUrl);
  state.media = state.media.filter((x) => x.id !== id);
  renderMedia();
}

function renderMedia() {
  const list = $('media-terms');
  list.replaceChildren();
  for (const m of state.media) {
    const preview = m.kind === 'image'
      ? el('img', {src: m.previewUrl, alt: '', className: 'media-thumb'})
      : el('span', {className: 'media-thumb media-icon', 'aria-hidden': 'true'}, '♪');
    const sign = el('select', {'aria-label': 'Add or subtract ' + m.name,
      onchange: (e) => { m.sign = Number(e.target.value); updatePreview(); }},
    el('option', {value: '1', selected: m.sign > 0}, '+'),
    el('option', {value: '-1', selected: m.sign < 0}, '−'));
    const weight = el('input', {type: 'number', min: '0', step: '0.1', value: String(m.weight),
      className: 'weight', 'aria-label': 'Weight of ' + m.name,
      oninput: (e) => { m.weight = Number(e.target.value); updatePreview(); }});
    list.append(el('li', {className: 'media-term', dataset: {kind: m.kind}},
      preview, sign, weight,
      el('span', {className: 'media-name'}, m.kind + ': ' + m.name),
      el('button', {type: 'button', className: 'icon-button', 'aria-label': 'Remove ' + m.name,
        onclick: () => removeMedia(m.id)}, '×')));
  }
  $('ask-image').disabled = !state.media.some((m) => m.kind === 'image');
  if ($('ask-image').disabled) $('ask-image').checked = false;
  updatePreview();
}

/** The whole query as the user would read it: the expression plus the uploaded media. */
function describeQuery(expression, media) {
  let text = expression.trim();
  for (const t of media) {
    const weight = Number(t.weight) === 1 ? '' : String(t.weight) + '*';
    const part = weight + t.kind + ':‹' + t.name + '›';
    text = text === '' ? (t.sign < 0 ? '-' : '') + part : text + (t.sign < 0 ? ' - ' : ' + ') + part;
  }
  return text;
}

function updatePreview() {
  $('query-preview').textContent = describeQuery($('q').value, state.media) || '—';
}

function setupDrop() {
  const zone = $('drop-zone');
  const form = $('search-form');
  const over = (e) => {
    if (e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files')) {
      e.preventDefault();
      zone.classList.add('dragging');
    }
  };
  for (const target of [zone, form]) {
    target.addEventListener('dragenter', over);
    target.addEventListener('dragover', over);
    target.addEventListener('dragleave', (e) => {
      if (!form.contains(e.relatedTarget)) zone.classList.remove('dragging');
    });
    target.addEventListener('drop', (e) => {
      zone.classList.remove('dragging');
      if (e.dataTransfer && e.dataTransfer.files && e.dataTransfer.files.length > 0) {
        e.preventDefault();
        e.stopPropagation();
        addFiles(Array.from(e.dataTransfer.files), true);
      }
    });
  }
  // A file dropped next to the drop zone must not replace the page.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());
  $('choose-file').addEventListener('click', () => $('file-input').click());
  $('file-input').addEventListener('change', (e) => {
    addFiles(Array.from(e.target.files), true);
    e.target.value = '';
  });
}

// ------------------------------------------------------------------ filters

function renderFilters() {
  const fields = fieldsOf(state.collection);
  const names = Object.keys(fields).sort();
  const list = $('filter-rows');
  list.replaceChildren();
  $('filter-none').hidden = names.length > 0;
  $('filter-add').disabled = names.length === 0;
  for (const f of state.filters) {
    const type = fields[f.field] || 'keyword';
    const numeric = type === 'long' || type === 'double';
    const fieldSel = el('select', {'aria-label': 'Field',
      onchange: (e) => { f.field = e.target.value; renderFilters(); }},
    ...names.map((n) => el('option', {value: n, selected: n === f.field}, n + ' (' + fields[n] + ')')));
    const ops = [['eq', '='], ['range', 'between']];
    const opSel = el('select', {'aria-label': 'Condition',
      onchange: (e) => { f.op = e.target.value; renderFilters(); }},
    ...ops.map(([v, label]) => el('option', {value: v, selected: v === f.op}, label)));
    const inputType = numeric ? 'number' : type === 'date' ? 'date' : 'text';
    const value = (key, label) => el('input', {type: inputType, value: f[key] || '',
      'aria-label': label, step: type === 'double' ? 'any' : undefined,
      oninput: (e) => { f[key] = e.target.value; updateFilterCount(); }});
    const controls = f.op === 'range'
      ? [value('from', 'From (inclusive)'), el('span', {className: 'muted'}, 'to'), value('to', 'To (inclusive)')]
      : [value('value', 'Value')];
    list.append(el('li', {className: 'row'}, fieldSel, opSel, ...controls,
      el('button', {type: 'button', className: 'icon-button', 'aria-label': 'Remove filter on ' + f.field,
        onclick: () => { state.filters = state.filters.filter((x) => x !== f); renderFilters(); }}, '×')));
  }
  updateFilterCount();
}

function updateFilterCount() {
  const n = state.filters.filter((f) => filterClause(f) !== null).length;
  const badge = $('filter-count');
  badge.hidden = n === 0;
  badge.textContent = String(n);
}

function typedValue(field, raw) {
  const type = fieldsOf(state.collection)[field];
  if (type === 'long') return Number.parseInt(raw, 10);
  if (type === 'double') return Number.parseFloat(raw);
  return raw;
}

/** One filter row as the API's JSON, or null while it is incomplete. */
function filterClause(f) {
  if (f.op === 'range') {
    const from = (f.from || '').trim();
    const to = (f.to || '').trim();
    if (!from && !to) return null;
    const range = {field: f.field};
    if (from) range.from = typedValue(f.field, from);
    if (to) range.to = typedValue(f.field, to);
    return {range};
  }
  const v = (f.value || '').trim();
  return v ? {term: {field: f.field, value: typedValue(f.field, v)}} : null;
}

function currentFilter() {
  const clauses = state.filters.map(filterClause).filter((c) => c !== null)
    .concat(state.facetFilters.map((f) => f.clause));
  if (clauses.length === 0) return undefined;
  return clauses.length === 1 ? clauses[0] : {and: clauses};
}

// ------------------------------------------------------------------ arithmetic builder

function builderTerms() {
  return state.builder.filter((t) => t.kind === 'text' || t.kind === 'item');
}

function renderBuilder() {
  const list = $('builder-rows');
  list.replaceChildren();
  for (const t of state.builder) {
    const sign = el('select', {'aria-label': 'Add or subtract',
      onchange: (e) => { t.sign = Number(e.target.value); updateBuilderOutput(); }},
    el('option', {value: '1', selected: t.sign > 0}, '+'),
    el('option', {value: '-1', selected: t.sign < 0}, '−'));
    const weight = el('input', {type: 'number', min: '0', step: '0.1', value: String(t.weight),
      className: 'weight', 'aria-label': 'Weight',
      oninput: (e) => { t.weight = Number(e.target.value); updateBuilderOutput(); }});
    const kind = el('select', {'aria-label': 'Kind of term',
      onchange: (e) => { t.kind = e.target.value; t.value = ''; t.file = null; renderBuilder(); }},
    ...[['text', 'text'], ['item', 'item id'], ['image', 'image file'], ['audio', 'audio file']]
      .map(([v, label]) => el('option', {value: v, selected: v === t.kind}, label)));
    const value = t.kind === 'image' || t.kind === 'audio'
      ? el('input', {type: 'file', accept: t.kind + '/*', 'aria-label': t.kind + ' file',
        onchange: (e) => { t.file = e.target.files[0] || null; updateBuilderOutput(); }})
      : el('input', {type: 'text', value: t.value, spellcheck: false,
        placeholder: t.kind === 'text' ? 'a red bicycle' : 'item id',
        'aria-label': t.kind === 'text' ? 'Text' : 'Item id',
        oninput: (e) => { t.value = e.target.value; updateBuilderOutput(); }});
    list.append(el('li', {className: 'row'}, sign, weight, kind, value,
      el('button', {type: 'button', className: 'icon-button', 'aria-label': 'Remove term',
        onclick: () => { state.builder = state.builder.filter((x) => x !== t); renderBuilder(); }}, '×')));
  }
  updateBuilderOutput();
}

function updateBuilderOutput() {
  const text = composeExpression(builderTerms());
  const media = state.builder.filter((t) => t.file)
    .map((t) => ({sign: t.sign, weight: t.weight, kind: t.kind, name: t.file.name}));
  $('builder-output').textContent = describeQuery(text, media) || '—';
}

async function applyBuilder() {
  const files = state.builder.filter((t) => t.file && (t.kind === 'image' || t.kind === 'audio'));
  let media = [];
  try {
    media = await mediaFromFiles(files.map((t) => t.file));
  } catch (e) {
    showAlert(e);
    return;
  }
  media.forEach((m, i) => { m.sign = files[i].sign; m.weight = files[i].weight; });
  state.media.forEach((m) => URL.revokeObjectURL(m.previewUrl));
  state.media = media;
  $('q').value = composeExpression(builderTerms());
  renderMedia();
  runSearch();
}

// ------------------------------------------------------------------ search

function clearQueryError() {
  $('q-error').hidden = true;
  $('q').removeAttribute('aria-invalid');
}

/** Shows a query error: the reason, and the expression with the bad column underlined. */
function showQueryError(problem, typed) {
  const box = $('q-error');
  box.querySelector('.query-error-reason').textContent =
    (problem.title || 'Query error') + ': ' + errorReason(problem);
  const view = box.querySelector('.query-error-view');
  view.replaceChildren();
  const column = errorColumn(problem);
  if (column !== null && typed !== null) {
    const at = Math.max(0, Math.min(typed.length, column - 1));
    const bad = typed.slice(at, at + 1) || ' ';
    view.append(typed.slice(0, at), el('mark', {className: 'bad-column'}, bad), typed.slice(at + 1),
      '\n', ' '.repeat(at) + '^ column ' + column);
    const input = $('q');
    input.focus();
    input.setSelectionRange(at, Math.min(typed.length, at + 1));
  }
  view.hidden = view.childNodes.length === 0;
  box.dataset.column = column === null ? '' : String(column);
  $('q').setAttribute('aria-invalid', 'true');
  box.hidden = false;
}

async function runSearch() {
  if (!state.collection) {
    showAlert(new Error('pick a collection first'));
    return;
  }
  const expression = $('q').value;
  if (expression.trim() === '' && state.media.length === 0) {
    $('q').focus();
    return;
  }
  const {query, typed} = buildQuery(expression, state.media);
  const k = Math.max(1, Math.min(1000, Number.parseInt($('k').value, 10) || 10));
  const body = {query, k, explain: true, fusion: {method: $('fusion').value}};
  const filter = currentFilter();
  if (filter) body.filter = filter;
  if ($('mmr-on').checked) body.mmr = {lambda: Number($('mmr').value)};
  const minScore = $('min-score').value.trim();
  if (minScore !== '' && Number.isFinite(Number(minScore))) body.min_score = Number(minScore);
  // Facets count every item that passes the filter, so a click on one narrows to its count.
  const facetFields = Object.keys(fieldsOf(state.collection)).sort().slice(0, 8);
  if (facetFields.length > 0) body.facets = facetFields;
  state.page = {body, typed, offset: 0, k};
  await showPage(0);
}

/**
 * Fetches one page of the last search: the same request with an offset, so "previous" works as
 * well as "next" (the server pages by offset or cursor; both cut the same ranking).
 */
async function showPage(offset) {
  const {typed} = state.page;
  const body = Object.assign({}, state.page.body);
  if (offset > 0) body.offset = offset;

  clearQueryError();
  showAlert(null);
  $('search-button').disabled = true;
  document.body.classList.add('busy');
  setStatus('Searching…');
  try {
    const result = await call('POST', collectionPath(state.collection.name) + '/search', body);
    state.page.offset = offset;
    renderHits($('hits'), result.hits || [], 'hit', offset);
    renderFacets(result.facets || {});
    renderPager((result.hits || []).length, Boolean(result.next_cursor));
    $('empty').hidden = (result.hits || []).length > 0;
    if ((result.hits || []).length === 0) $('empty').textContent = 'No hits.';
    const legs = Object.entries(result.legs || {}).map(([name, leg]) =>
      name + (leg.kind === 'knn' || leg.kind === 'recommend'
        ? ' ' + String(leg.strategy || '').toLowerCase() + ', visited ' + leg.visited
        : '') + ', ' + leg.hits + (leg.hits === 1 ? ' hit' : ' hits'));
    setStatus((result.hits || []).length + ' hits in ' + result.took_ms + ' ms'
      + (legs.length ? ' · ' + legs.join(' · ') : ''));
  } catch (e) {
    setStatus('');
    $('pager').hidden = true;
    if (e instanceof ApiError && errorColumn(e.problem) !== null) {
      showQueryError(e.problem, typed);
    } else if (e instanceof ApiError && e.problem.type && e.problem.type.endsWith(':query-syntax')) {
      showQueryError(e.problem, null);
    } else {
      showAlert(e);
    }
  } finally {
    $('search-button').disabled = false;
    document.body.classList.remove('busy');
    document.body.dataset.searches = String(Number(document.body.dataset.searches || 0) + 1);
  }
}

/** Previous / next buttons under the hits, and which hits of the ranking this page shows. */
function renderPager(shown, more) {
  const {offset, k} = state.page;
  $('pager').hidden = offset === 0 && !more;
  $('page-prev').disabled = offset === 0;
  $('page-next').disabled = !more;
  $('page-next').textContent = 'Next ' + k + ' →';
  $('page-info').textContent = shown === 0
    ? 'No more hits'
    : 'Hits ' + (offset + 1) + '–' + (offset + shown);
}

function pageBy(direction) {
  if (!state.page) return;
  showPage(Math.max(0, state.page.offset + direction * state.page.k));
}

// ------------------------------------------------------------------ facets and chips

/** A facet bucket as a filter: [from, to) as the server counts it, the last bucket [from, to]. */
function rangeClause(field, bucket, last) {
  const range = {range: {field, from: bucket.from, to: bucket.to}};
  if (last || bucket.from === bucket.to) return range;
  return {and_not: {include: range, exclude: {term: {field, value: bucket.to}}}};
}

function boundText(type, v) {
  if (type === 'date' && typeof v === 'string') return v.slice(0, 10);
  if (type === 'double' && typeof v === 'number') return String(Number(v.toPrecision(4)));
  return String(v);
}

function renderFacets(facets) {
  const box = $('facets');
  box.replaceChildren();
  const active = new Set(state.facetFilters.map((f) => f.label));
  for (const [field, facet] of Object.entries(facets)) {
    const buttons = [];
    const add = (label, count, clause) => {
      if (count === 0 || active.has(label)) return;
      buttons.push(el('li', {}, el('button', {type: 'button', className: 'facet-value',
        dataset: {field, label}, 'aria-label': label + ', ' + count + ' items',
        onclick: () => addFacetFilter(field, label, clause)},
      label.slice(field.length + 2), el('span', {className: 'facet-count'}, '(' + count + ')'))));
    };
    for (const v of facet.values || []) {
      add(field + ': ' + v.value, v.count, {term: {field, value: v.value}});
    }
    const ranges = facet.ranges || [];
    ranges.forEach((b, i) => {
      const last = i === ranges.length - 1;
      const label = field + ': ' + boundText(facet.type, b.from) + '–' + boundText(facet.type, b.to);
      add(label, b.count, rangeClause(field, b, last));
    });
    if (buttons.length > 0) {
      box.append(el('div', {className: 'facet', dataset: {field}},
        el('p', {className: 'facet-title'}, field),
        el('ul', {className: 'facet-values'}, ...buttons)));
    }
  }
  box.hidden = box.childElementCount === 0;
}

function addFacetFilter(field, label, clause) {
  state.facetFilters.push({field, label, clause});
  renderChips();
  runSearch();
}

function renderChips() {
  const list = $('chips');
  list.replaceChildren();
  for (const f of state.facetFilters) {
    list.append(el('li', {className: 'chip', dataset: {label: f.label}}, f.label,
      el('button', {type: 'button', 'aria-label': 'Remove filter ' + f.label,
        onclick: () => {
          state.facetFilters = state.facetFilters.filter((x) => x !== f);
          renderChips();
          runSearch();
        }}, '×')));
  }
  list.hidden = state.facetFilters.length === 0;
}

/** Items like this one, itself left out: a recommend with the hit as its positive example. */
function moreLikeThis(id) {
  $('q').value = recommendItem(id);
  state.media.forEach((m) => URL.revokeObjectURL(m.previewUrl));
  state.media = [];
  renderMedia();
  runSearch();
  $('q').focus();
}

// ------------------------------------------------------------------ hits

function titleOf(hit) {
  const m = hit.metadata || {};
  for (const key of ['title', 'caption', 'name']) {
    if (typeof m[key] === 'string' && m[key].trim()) return m[key];
  }
  return hit.id;
}

function segmentFragment(hit) {
  const s = hit.segment;
  return s && Number.isFinite(s.start) ? '#t=' + s.start + (Number.isFinite(s.end) ? ',' + s.end : '') : '';
}

function renderThumb(hit) {
  const box = el('div', {className: 'thumb'});
  if (hit.content && hit.modality === 'image') {
    const img = el('img', {alt: titleOf(hit), loading: 'lazy', decoding: 'async'});
    state.releases.push(setMediaSource(img, hit.content, ''));
    box.append(img);
  } else if (hit.content && hit.modality === 'audio') {
    const audio = el('audio', {controls: true, preload: 'none', 'aria-label': 'Play ' + titleOf(hit)});
    state.releases.push(setMediaSource(audio, hit.content, segmentFragment(hit)));
    box.append(el('span', {className: 'big-icon', 'aria-hidden': 'true'}, '♪'), audio);
  } else if (hit.content && hit.modality === 'video') {
    const video = el('video', {controls: true, preload: 'metadata', muted: true,
      'aria-label': 'Play ' + titleOf(hit)});
    state.releases.push(setMediaSource(video, hit.content, segmentFragment(hit)));
    box.append(video);
  } else {
    const snippet = el('p', {className: 'snippet'}, titleOf(hit) !== hit.id ? titleOf(hit) : '…');
    box.classList.add('text-thumb');
    box.append(snippet);
    if (hit.modality === 'text' && state.collection) {
      loadSnippet(hit, snippet);
    }
  }
  return box;
}

/** Text hits carry no text in search results: fetch the item for a snippet. */
async function loadSnippet(hit, target) {
  try {
    const item = await call('GET', collectionPath(state.collection.name) + '/items/'
      + encodeURIComponent(hit.id));
    const texts = Object.values((item && item.text) || {});
    if (texts.length > 0) {
      const t = String(texts[0]);
      target.textContent = t.length > 280 ? t.slice(0, 277) + '…' : t;
    }
  } catch (e) {
    // The snippet is a nicety; the hit stays without it.
  }
}

function renderExplain(hit, region) {
  region.replaceChildren();
  const explain = hit.explain;
  if (!explain) {
    region.append(el('p', {className: 'muted'}, 'No explanation was returned.'));
    return;
  }
  region.append(el('p', {}, 'Fused score ', el('strong', {}, fmt(explain.score, 6)),
    ' · fusion ', $('fusion').value, $('mmr-on').checked ? ' · MMR λ ' + $('mmr').value : ''));
  const table = el('table', {className: 'explain-table'});
  table.append(el('caption', {className: 'visually-hidden'}, 'Legs of ' + hit.id));
  table.append(el('thead', {}, el('tr', {},
    ...['leg', 'rank', 'raw', 'normalized', 'strategy', 'visited']
      .map((h) => el('th', {scope: 'col'}, h)))));
  const body = el('tbody');
  for (const [name, leg] of Object.entries(explain.legs || {})) {
    body.append(el('tr', {dataset: {leg: name}},
      el('th', {scope: 'row'}, name),
      el('td', {}, leg.rank > 0 ? String(leg.rank) : 'absent'),
      el('td', {}, fmt(leg.raw, 4)),
      el('td', {}, fmt(leg.normalized, 4)),
      el('td', {}, leg.strategy ? String(leg.strategy) : '–'),
      el('td', {}, leg.visited !== undefined ? String(leg.visited) : '–')));
  }
  table.append(body);
  region.append(table);
  if (hit.segment) {
    region.append(el('p', {className: 'muted'},
      'Best segment ' + fmt(hit.segment.start, 1) + '–' + fmt(hit.segment.end, 1) + ' s'));
  }
}

function renderMetadata(hit) {
  const entries = Object.entries(hit.metadata || {}).filter(([k]) => !['title', 'caption'].includes(k));
  if (entries.length === 0) return null;
  const dl = el('dl', {className: 'meta'});
  for (const [k, v] of entries.slice(0, 6)) {
    dl.append(el('dt', {}, k), el('dd', {}, Array.isArray(v) ? v.join(', ') : String(v)));
  }
  return dl;
}

/**
 * Renders hits as cards into a list; prefix makes element ids unique per list, offset is where the
 * page starts in the ranking.
 */
function renderHits(list, hits, prefix, offset = 0) {
  if (prefix === 'hit') {
    state.releases.forEach((release) => release());
    state.releases = [];
  }
  list.replaceChildren();
  hits.forEach((hit, i) => {
    const rank = offset + i + 1;
    const cardId = prefix + '-' + rank;
    const explainId = cardId + '-explain';
    const region = el('div', {id: explainId, className: 'explain', role: 'region',
      'aria-label': 'Explanation for ' + hit.id, hidden: true});
    const explainButton = el('button', {type: 'button', className: 'explain-button',
      'aria-expanded': 'false', 'aria-controls': explainId,
      onclick: () => {
        const open = region.hidden;
        if (open) renderExplain(hit, region);
        region.hidden = !open;
        card.classList.toggle('expanded', open);
        explainButton.setAttribute('aria-expanded', String(open));
        explainButton.textContent = open ? 'Hide explain' : 'Explain';
      }}, 'Explain');
    const segment = hit.segment
      ? el('span', {className: 'badge'}, fmt(hit.segment.start, 1) + '–' + fmt(hit.segment.end, 1) + ' s')
      : null;
    const card = el('li', {id: cardId, className: 'hit', tabIndex: -1,
      dataset: {id: hit.id, modality: hit.modality || ''}},
    renderThumb(hit),
    el('div', {className: 'hit-body'},
      el('p', {className: 'hit-title'}, el('span', {className: 'rank'}, rank + '.'), ' ', titleOf(hit)),
      el('p', {className: 'hit-line'},
        el('code', {className: 'hit-id'}, hit.id),
        el('span', {className: 'badge modality'}, hit.modality || '?'),
        segment,
        el('span', {className: 'score', title: 'score'}, fmt(hit.score, 4))),
      renderMetadata(hit),
      el('div', {className: 'hit-actions'},
        hit.explain ? explainButton : null,
        el('button', {type: 'button', className: 'more-like-this',
          title: 'recommend(+item:' + hit.id + '): items like this one, itself left out',
          onclick: () => moreLikeThis(hit.id)}, 'More like this')),
      region));
    list.append(card);
  });
}

// ------------------------------------------------------------------ ask

function focusCard(card) {
  if (!card) return;
  card.scrollIntoView({block: 'nearest', behavior: 'smooth'});
  card.focus({preventScroll: true});
  card.classList.remove('flash');
  void card.offsetWidth; // restart the highlight animation
  card.classList.add('flash');
}

/**
 * The answer text with its citation markers ([id] as the server writes them, or [n]) turned into
 * buttons that focus the cited item's card.
 */
function renderAnswer(answer, citations) {
  const p = $('answer-text');
  p.replaceChildren();
  const index = new Map(citations.map((c, i) => [c.id, i + 1]));
  const re = /\[([^\[\]\n]+)\]/g;
  let last = 0;
  let m;
  while ((m = re.exec(answer)) !== null) {
    let n = index.get(m[1]);
    if (n === undefined && /^\d+$/.test(m[1]) && Number(m[1]) >= 1 && Number(m[1]) <= citations.length) {
      n = Number(m[1]);
    }
    if (n === undefined) continue;
    p.append(answer.slice(last, m.index));
    const target = n;
    p.append(el('button', {type: 'button', className: 'cite-link',
      'aria-label': 'Citation ' + target + ': ' + citations[target - 1].id,
      onclick: () => focusCard($('cite-' + target))}, m[0]));
    last = m.index + m[0].length;
  }
  p.append(answer.slice(last));
}

async function runAsk(event) {
  event.preventDefault();
  if (!state.collection) {
    showAlert(new Error('pick a collection first'));
    return;
  }
  const question = $('question').value.trim();
  if (!question) {
    $('question').focus();
    return;
  }
  const body = {question};
  const filter = currentFilter();
  if (filter) body.filter = filter;
  const image = state.media.find((m) => m.kind === 'image');
  if ($('ask-image').checked && image) body.image = image.dataUrl;
  $('ask-button').disabled = true;
  showAlert(null);
  try {
    const result = await call('POST', collectionPath(state.collection.name) + '/ask', body);
    const citations = result.citations || [];
    renderAnswer(String(result.answer || ''), citations);
    $('answer-meta').textContent = (result.abstained ? 'No answer in the retrieved items · ' : '')
      + 'answered by ' + (result.answered_by || '?') + ' in ' + result.took_ms + ' ms · '
      + citations.length + ' cited of ' + (result.hits || []).length + ' retrieved';
    renderHits($('citations'), citations, 'cite');
    $('citations-title').hidden = citations.length === 0;
    $('answer').hidden = false;
  } catch (e) {
    $('answer').hidden = true;
    showAlert(e);
  } finally {
    $('ask-button').disabled = false;
  }
}

// ------------------------------------------------------------------ start

function setup() {
  $('api-key').value = apiKey();
  $('key-form').addEventListener('submit', (e) => {
    e.preventDefault();
    setApiKey($('api-key').value.trim());
    loadCollections();
  });
  $('collection').addEventListener('change', (e) => selectCollection(e.target.value));
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    runSearch();
  });
  $('q').addEventListener('input', () => {
    clearQueryError();
    updatePreview();
  });
  $('mmr-on').addEventListener('change', (e) => { $('mmr').disabled = !e.target.checked; });
  $('mmr').addEventListener('input', (e) => {
    $('mmr-value').textContent = 'λ ' + Number(e.target.value).toFixed(2);
  });
  $('filter-add').addEventListener('click', () => {
    const names = Object.keys(fieldsOf(state.collection)).sort();
    if (names.length === 0) return;
    state.filters.push({id: state.nextId++, field: names[0], op: 'eq', value: '', from: '', to: ''});
    renderFilters();
    const rows = $('filter-rows').querySelectorAll('li');
    rows[rows.length - 1].querySelector('select').focus();
  });
  $('builder-add').addEventListener('click', () => {
    state.builder.push({id: state.nextId++, sign: 1, weight: 1, kind: 'text', value: '', file: null});
    renderBuilder();
    const rows = $('builder-rows').querySelectorAll('li input[type=text]');
    if (rows.length) rows[rows.length - 1].focus();
  });
  $('builder-apply').addEventListener('click', applyBuilder);
  $('page-prev').addEventListener('click', () => pageBy(-1));
  $('page-next').addEventListener('click', () => pageBy(1));
  $('ask-form').addEventListener('submit', runAsk);
  setupDrop();
  renderMedia();
  renderBuilder();
  const q = new URLSearchParams(location.search).get('q');
  if (q) $('q').value = q;
  updatePreview();
  loadCollections().then(() => {
    document.body.dataset.ready = 'true';
    if (q && state.collection) runSearch();
  });
}

setup();
