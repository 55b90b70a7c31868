/**
 * live: follows GET /v1/stream (Server-Sent Events) so that every view updates within seconds
 * of a poll's commit, without a reload. Each event (a status change, new data after a poll,
 * an alert or a delivery: any kind) is broadcast as 'radar:event'; a burst of them (one poll
 * gives several) becomes one 'radar:refresh', which every view answers by updating in place.
 *
 * The browser's EventSource reconnects by itself (the server ends each stream after
 * [api] stream_seconds, and after an API restart) and resumes with Last-Event-ID, so nothing
 * is missed. When the stream is refused (503: too many streams, or a proxy that does not pass
 * it) or stays away, `mode` becomes 'polling': the refresher then reloads every poll interval,
 * the footer says so, and the stream is tried again now and then.
 *
 *   live.mode       'starting' | 'live' | 'polling'
 *   live.reason     why polling, in words
 */
(function () {
    'use strict';

    // The kinds of /v1/events (docs/api.md); EventSource only hands out named events one
    // listens to. Unnamed messages are taken too.
    var KINDS = ['status', 'data', 'alert', 'delivery', 'silence'];
    var DEBOUNCE_MS = 300;
    // A reconnection shorter than this (the stream's normal end) is not worth showing.
    var GRACE_MS = 6000;
    var REOPEN_MS = 30000;

    angular.module('radar.core').factory('live', live);

    live.$inject = ['$rootScope', '$timeout', '$window'];
    function live($rootScope, $timeout, $window) {
        var source = null;
        var pendingRefresh = null;
        var grace = null;
        var reopen = null;
        var service = {
            mode: 'starting',
            reason: null,
            lastEventAt: null,
            events: 0,
            start: start
        };
        return service;

        function start() {
            if (!$window.EventSource) {
                fallBack('this browser cannot follow the event stream');
                return;
            }
            open();
        }

        function open() {
            $timeout.cancel(reopen);
            if (source) {
                source.close();
            }
            source = new $window.EventSource('v1/stream');
            source.onopen = function () {
                $rootScope.$applyAsync(opened);
            };
            source.onerror = function () {
                $rootScope.$applyAsync(failed);
            };
            source.onmessage = received;
            KINDS.forEach(function (kind) {
                source.addEventListener(kind, received);
            });
        }

        function opened() {
            $timeout.cancel(grace);
            grace = null;
            var wasPolling = service.mode === 'polling';
            service.mode = 'live';
            service.reason = null;
            if (wasPolling) {
                refreshSoon();  // whatever happened while the stream was away
            }
        }

        function failed() {
            if (!source || source.readyState === $window.EventSource.CLOSED) {
                // Refused: the browser will not retry; poll, and ask again later.
                fallBack('the event stream is unavailable');
                reopen = $timeout(open, REOPEN_MS);
                return;
            }
            // CONNECTING: the browser retries by itself; say so only if it takes long.
            if (!grace) {
                grace = $timeout(function () {
                    grace = null;
                    if (source && source.readyState !== $window.EventSource.OPEN) {
                        fallBack('the event stream is reconnecting');
                    }
                }, GRACE_MS);
            }
        }

        function fallBack(reason) {
            service.mode = 'polling';
            service.reason = reason;
        }

        function received(message) {
            var event;
            try {
                event = JSON.parse(message.data);
            } catch (e) {
                return;  // not an event of ours
            }
            $rootScope.$applyAsync(function () {
                service.lastEventAt = new Date();
                service.events += 1;
                if (service.mode !== 'live') {
                    opened();
                }
                $rootScope.$broadcast('radar:event', event);
                refreshSoon();
            });
        }

        function refreshSoon() {
            $timeout.cancel(pendingRefresh);
            pendingRefresh = $timeout(function () {
                $rootScope.$broadcast('radar:refresh', {reason: 'stream'});
            }, DEBOUNCE_MS);
        }
    }
})();
