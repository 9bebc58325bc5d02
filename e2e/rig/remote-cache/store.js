// njs handler for PUT /v1/cache/{hash}, the one part of the cache server that
// plain nginx configuration cannot do: nginx's WebDAV PUT answers 201 or 204,
// and Nx's client takes any answer to an upload but 200, 403 and 409 as an
// error (it retries six times, then fails the task). nginx.conf has already
// checked the token, the read-only role and an existing entry, and nginx has
// written the body to a temporary file (client_body_in_file_only).
var fs = require('fs');

function put(r) {
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

export default { put: put };
