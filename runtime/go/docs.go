// The API docs page `forst dev` serves at /__forst/docs: the OpenAPI document (GET /__forst/openapi.json) rendered
// by Swagger UI, whose two files (swagger-ui-bundle.js, swagger-ui.css) the package ships and the supervisor names
// with FORST_DOCS_DIR. Nothing is fetched from elsewhere (a Content-Security-Policy of 'self' says so to the browser):
// the page works offline.
//
// The page itself is static and holds no project data, so it is served without the token; it asks for the token
// (`forst dev` prints a link with it in the URL's fragment, which browsers never send to a server) and sends it with
// every request it makes: the document and every try-it call are authenticated like any other call. Requests from
// the page carry an Origin header, which the server otherwise refuses (web pages must not call the sidecar): with
// the docs on, an Origin that is this server's own (http://<the Host it was addressed to>) is accepted — only this
// page can run there, since the Host check admits loopback names only.

package forst

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// forstDocsFiles are the files of the docs directory the page may load, with their content types.
var forstDocsFiles = map[string]string{
	"swagger-ui-bundle.js": "text/javascript; charset=utf-8",
	"swagger-ui.css":       "text/css; charset=utf-8",
}

const forstDocsHTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Forst endpoints</title>
<link rel="stylesheet" href="/__forst/docs/swagger-ui.css">
<style>body { margin: 0 } .forst-token { font: 14px sans-serif; padding: 1em 2em; background: #fafafa; border-bottom: 1px solid #ddd } .forst-token input { width: 36em; font-family: monospace }</style>
</head>
<body>
<form class="forst-token" id="forst-token" hidden>
<label>X-Forst-Token (printed by <code>forst dev</code>): <input name="token" autocomplete="off" required></label>
<button>Show the endpoints</button>
</form>
<div id="docs"></div>
<script src="/__forst/docs/swagger-ui-bundle.js"></script>
<script src="/__forst/docs/init.js"></script>
</body>
</html>
`

// forstDocsInit loads the document with the token and hands both to Swagger UI; try-it calls send the token as the
// forstToken API key.
const forstDocsInit = `"use strict";
(function () {
  var fromLink = new URLSearchParams(location.hash.slice(1)).get("token");
  if (fromLink) {
    sessionStorage.setItem("forst-token", fromLink);
    history.replaceState(null, "", location.pathname);
  }
  function show(token) {
    fetch("/__forst/openapi.json", { headers: { "X-Forst-Token": token } }).then(function (res) {
      if (res.status === 401) {
        sessionStorage.removeItem("forst-token");
        ask("That token was refused (a new one is printed on every start of forst dev).");
        return;
      }
      return res.json().then(function (spec) {
        document.getElementById("forst-token").hidden = true;
        var ui = SwaggerUIBundle({
          spec: spec,
          dom_id: "#docs",
          deepLinking: true,
          tryItOutEnabled: true,
          displayOperationId: true,
          defaultModelsExpandDepth: 2,
          onComplete: function () { ui.preauthorizeApiKey("forstToken", token); },
        });
        window.forstDocs = ui;
      });
    });
  }
  function ask(why) {
    var form = document.getElementById("forst-token");
    form.hidden = false;
    if (why) form.setAttribute("title", why);
    form.onsubmit = function (ev) {
      ev.preventDefault();
      var token = form.elements.token.value.trim();
      sessionStorage.setItem("forst-token", token);
      show(token);
    };
  }
  // Without a stored token, try without one: a sidecar started with --no-auth needs none.
  show(sessionStorage.getItem("forst-token") || "");
})();
`

// serveDocs answers GET /__forst/docs and its files; false when the path is not the docs'.
func (s *forstServer) serveDocs(w http.ResponseWriter, r *http.Request) bool {
	if s.docsDir == "" || (r.URL.Path != "/__forst/docs" && !strings.HasPrefix(r.URL.Path, "/__forst/docs/")) {
		return false
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		forstFail(w, http.StatusMethodNotAllowed, "method_not_allowed", "the docs page answers GET", "", "")
		return true
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/__forst/docs"), "/")
	switch name {
	case "", "index.html":
		h.Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(forstDocsHTML))
		return true
	case "init.js":
		h.Set("Content-Type", "text/javascript; charset=utf-8")
		_, _ = w.Write([]byte(forstDocsInit))
		return true
	}
	kind, ok := forstDocsFiles[name]
	if !ok {
		forstFail(w, http.StatusNotFound, "not_found", "no such file of the docs page: "+name, "", "")
		return true
	}
	data, err := os.ReadFile(filepath.Join(s.docsDir, name))
	if err != nil {
		forstFail(w, http.StatusNotFound, "not_found", "the docs page's "+name+" is missing from "+s.docsDir+": reinstall @forst/sidecar", "", "")
		return true
	}
	h.Set("Content-Type", kind)
	_, _ = w.Write(data)
	return true
}

// sameOrigin: with the docs on, a request from the docs page (an Origin of this very server) is not a foreign page.
func (s *forstServer) sameOrigin(r *http.Request) bool {
	return s.docsDir != "" && r.Header.Get("Origin") == "http://"+r.Host
}
