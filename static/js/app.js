/* Site-wide script: registers the service worker (static/js/sw.js) so the app can be installed
   and its static files load from the phone when the connection is weak. */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.dataset.serviceWorker;
  if (!url || !("serviceWorker" in navigator)) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {
      // Without it the site works exactly the same, only without the offline cache.
    });
  });
})();
