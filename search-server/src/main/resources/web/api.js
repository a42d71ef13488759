// The page's client for Bindery's /v1 HTTP API: JSON in and out, the API key as a Bearer token,
// and errors as ApiError carrying the server's application/problem+json body.

const KEY_STORAGE = 'bindery.apiKey';

/** An HTTP error with the problem+json body the server sent (or one made from the status). */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || ('HTTP ' + status));
    this.status = status;
    this.problem = problem;
  }
}

/** The API key kept for this browser tab (sessionStorage), or '' for none. */
export function apiKey() {
  try {
    return sessionStorage.getItem(KEY_STORAGE) || '';
  } catch (e) {
    return '';
  }
}

/** Keeps the API key for this tab only; '' forgets it. */
export function setApiKey(key) {
  try {
    if (key) {
      sessionStorage.setItem(KEY_STORAGE, key);
    } else {
      sessionStorage.removeItem(KEY_STORAGE);
    }
  } catch (e) {
    // Storage disabled: the key then lasts until the page reloads (kept by the caller).
  }
}

function headers(json) {
  const h = {Accept: 'application/json, application/problem+json'};
  if (json) {
    h['Content-Type'] = 'application/json';
  }
  const key = apiKey();
  if (key) {
    h.Authorization = 'Bearer ' + key;
  }
  return h;
}

/** Calls the API; resolves to the parsed JSON body (null for 204), rejects with ApiError. */
export async function call(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(body !== undefined),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, {title: 'Network error', detail: 'cannot reach the server: ' + e.message});
  }
  const type = response.headers.get('Content-Type') || '';
  let data = null;
  if (response.status !== 204) {
    if (type.includes('json')) {
      try {
        data = await response.json();
      } catch (e) {
        data = null;
      }
    } else {
      const text = await response.text();
      data = text ? {detail: text} : null;
    }
  }
  if (!response.ok) {
    const problem = data && typeof data === 'object' ? data : {};
    if (!problem.title) {
      problem.title = 'HTTP ' + response.status;
    }
    throw new ApiError(response.status, problem);
  }
  return data;
}

/** Path of a collection (names are [A-Za-z0-9_.-], but encode anyway). */
export function collectionPath(name) {
  return '/v1/collections/' + encodeURIComponent(name);
}

/**
 * Points a media element (img, audio, video) at a URL of the server. Without an API key the
 * browser loads it itself; with one, the file is fetched with the key and shown from a blob URL
 * (elements cannot send headers). Only same-origin /v1/ paths are accepted.
 *
 * @param fragment a media fragment such as '#t=3,5', or ''
 * @return a function that releases the blob URL, if one was made
 */
export function setMediaSource(element, url, fragment) {
  if (typeof url !== 'string' || !url.startsWith('/v1/')) {
    return () => {};
  }
  const key = apiKey();
  if (!key) {
    element.src = url + (fragment || '');
    return () => {};
  }
  let objectUrl = null;
  let released = false;
  fetch(url, {headers: {Authorization: 'Bearer ' + key}})
    .then((r) => (r.ok ? r.blob() : Promise.reject(new Error('HTTP ' + r.status))))
    .then((blob) => {
      if (!released) {
        objectUrl = URL.createObjectURL(blob);
        element.src = objectUrl + (fragment || '');
      }
    })
    .catch(() => element.classList.add('media-failed'));
  return () => {
    released = true;
    if (objectUrl) {
      URL.revokeObjectURL(objectUrl);
    }
  };
}
