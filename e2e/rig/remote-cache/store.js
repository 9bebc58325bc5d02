// njs handler for PUT /v1/cache/{hash}, the one part of the cache server that
// plain nginx configuration cannot do: nginx's WebDAV PUT answers 201 or 204,
// and Nx's client takes any answer to an upload but 200, 403 and 409 as an
// error (it retries six times, then fails the task). nginx.conf has already
// checked the token, the read-only role and an existing entry, and nginx has
// written the body to a temporary file (client_body_in_file_only).
var fs = require('fs');

var PROBE_HASH = '0000000000000000000';
var FOREVER_MS = 3600 * 1000;

function exists(file) {
  try {
    fs.accessSync(file);
    return true;
  } catch (_e) {
    return false;
  }
}

// The faults fault-hang and fault-slow (nginx.conf): how long a request
// waits before it is answered, or -1 to never answer it.
function delayOf(r, hash) {
  var dir = r.variables.nxs_dir;
  if (exists(dir + '/fault-hang') && hash !== PROBE_HASH) return -1;
  if (!exists(dir + '/fault-slow')) return 0;
  return Number(fs.readFileSync(dir + '/fault-slow', 'utf8')) || 0;
}

function later(r, hash, then) {
  var ms = delayOf(r, hash);
  if (ms < 0) {
    setTimeout(function () {
      r.return(504, 'never answered\n');
    }, FOREVER_MS);
    return;
  }
  if (ms === 0) then();
  else setTimeout(then, ms);
}

// GET under fault-slow or fault-hang: the entry (or 404) once the delay is over.
function delay(r) {
  var hash = r.variables.nxs_delay_hash;
  later(r, hash, function () {
    r.internalRedirect('/_nxs/body/' + hash);
  });
}

function put(r) {
  later(r, r.variables.nxs_hash, function () {
    store(r);
  });
}

function store(r) {
  var entry = r.variables.nxs_entries + '/' + r.variables.nxs_hash;
  var body = r.variables.request_body_file;
  if (!body) {
    r.return(400, 'empty upload\n');
    return;
  }
  try {
    // mkdir either creates the entry or fails: of two uploads racing for one
    // key, exactly one wins and the other gets 409, so an entry is never
    // replaced (the overwrite is what makes cache poisoning possible).
    fs.mkdirSync(entry);
  } catch (e) {
    r.return(e.code === 'EEXIST' ? 409 : 500, e.code === 'EEXIST' ? 'entry exists\n' : 'cannot create entry: ' + e.message + '\n');
    return;
  }
  try {
    // A rename, so a reader sees the whole body or no entry at all.
    fs.renameSync(body, entry + '/body');
  } catch (e) {
    fs.rmdirSync(entry);
    r.return(500, 'cannot store entry: ' + e.message + '\n');
    return;
  }
  r.return(200, '');
}

export default { put: put, delay: delay };
