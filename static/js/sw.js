/* Service worker, served at /sw.js by programs/views/pwa.py, which puts VERSION and PRECACHE
   (the hashed URLs of our own static files) in front of this file.

   Static files are cached first, so the player and its figures open quickly on a weak
   connection. Pages and everything else go to the network untouched: pages carry a person's
   own data and must never be kept in a cache, and nothing but GET is ever looked at. */
/* global VERSION, PRECACHE */
"use strict";

var CACHE = "static-" + VERSION;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // One missing file must not stop the others from being cached.
      return Promise.all(PRECACHE.map(function (url) {
        return cache.add(url).catch(function () {});
      }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("static-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/static/") !== 0) return;
  event.respondWith(
    caches.open(CACHE).then(function (cache) {
      return cache.match(request).then(function (hit) {
        if (hit) return hit;
        return fetch(request).then(function (response) {
          if (response.ok && response.type === "basic") cache.put(request, response.clone());
          return response;
        });
      });
    })
  );
});
