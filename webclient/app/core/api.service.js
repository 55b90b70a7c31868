/**
 * radarApi: the one place that talks to the Radar REST API (docs/api.md). Every method
 * returns a promise of the response body; failures are rejected with an ApiError-like object
 * {status, message, outage} whose message is fit to show to the user.
 *
 * URLs are relative ("v1/..."), so the dashboard also works when radar-api is published under
 * a path prefix by a reverse proxy. Every answer (or its absence) is reported to `connection`,
 * which drives the API-down banner.
 */
(function () {
    'use strict';

    var BASE = 'v1/';
    // Reports are paged; one page of this size fills the "recent reports" table.
    var REPORT_PAGE = 25;
    // Guard against a `next` link that never ends (a server bug must not hang the browser).
    var MAX_PAGES = 50;

    angular.module('radar.core').factory('radarApi', radarApi);

    radarApi.$inject = ['$http', '$q', 'connection'];
    function radarApi($http, $q, connection) {
        return {
            REPORT_PAGE: REPORT_PAGE,
            systems: systems,
            system: system,
            jobs: jobs,
            reports: reports,
            trend: trend,
            trends: trends,
            history: history,
            failures: failures,
            missed: missed,
            figures: figures,
            events: events,
            change: change,
            projects: projects,
            status: status,
            createSilence: createSilence
        };

        /** Every system (all pages), with health and stats for the window. */
        function systems(params) {
            return getAll('systems', params, 'systems');
        }

        /** One system by id or username, with contacts and reasons. */
        function system(id, params) {
            return get('systems/' + encodeURIComponent(id), params);
        }

        function jobs(id, params) {
            return get('systems/' + encodeURIComponent(id) + '/jobs', params);
        }

        /**
         * Newest reports first. `atLeast` fetches as many pages as needed to return at least
         * that many reports (or all), so a refresh keeps every report the user has paged in.
         */
        function reports(id, params, atLeast, marker) {
            var query = angular.extend({limit: REPORT_PAGE}, params);
            if (marker) {
                query.marker = marker;
            }
            return getPages('systems/' + encodeURIComponent(id) + '/reports', query, 'reports',
                atLeast || REPORT_PAGE);
        }

        function trend(id, params) {
            return get('systems/' + encodeURIComponent(id) + '/trend', params);
        }

        /** The system's status changes in [since, until), oldest first. */
        function history(id, params) {
            return get('systems/' + encodeURIComponent(id) + '/history', params);
        }

        /** Reports per result word, failed runs per job, the reasons jobs gave. */
        function failures(id, params) {
            return get('systems/' + encodeURIComponent(id) + '/failures', params);
        }

        /** The eligible patchsets the system did not report on, newest first (one page). */
        function missed(id, params) {
            return get('systems/' + encodeURIComponent(id) + '/missed', params);
        }

        /** Every system's trend in one answer (all pages), for the sparklines. */
        function trends(params) {
            return getAll('trends', params, 'trends');
        }

        /** The catalogue of figures and the thresholds in force. */
        function figures() {
            return get('figures');
        }

        /** Newest events first; `marker` pages on. */
        function events(params) {
            return get('events', params);
        }

        function change(number) {
            return get('changes/' + encodeURIComponent(number));
        }

        function projects() {
            return get('projects');
        }

        function status() {
            return get('status');
        }

        /**
         * Silence a system: `body` is {system, duration, comment}. Writes need a token
         * (radar-db-manage token create); it is sent with this request only, never kept.
         */
        function createSilence(body, token) {
            return $http.post(BASE + 'silences', body, {
                headers: {Accept: 'application/json', Authorization: 'Bearer ' + token}
            }).then(function (response) {
                return response.data;
            }, function (response) {
                return $q.reject(describe(response));
            });
        }

        // --- plumbing ---------------------------------------------------------------------

        function get(path, params) {
            return $http.get(BASE + path, {
                params: params || {},
                // WSME picks XML unless JSON is the only thing asked for.
                headers: {Accept: 'application/json'}
            }).then(function (response) {
                connection.reportSuccess();
                return response.data;
            }, function (response) {
                connection.reportFailure(response);
                return $q.reject(describe(response));
            });
        }

        /** Follow `next` links until the list is complete; returns the first body, merged. */
        function getAll(path, params, key) {
            return getPages(path, params, key, Infinity);
        }

        function getPages(path, params, key, wanted) {
            var pages = 0;
            var merged = null;

            function fetch(query) {
                pages += 1;
                return get(path, query).then(function (body) {
                    if (merged === null) {
                        merged = body;
                    } else {
                        merged[key] = merged[key].concat(body[key]);
                        merged.next = body.next;
                    }
                    var marker = markerOf(body.next);
                    if (marker && merged[key].length < wanted && pages < MAX_PAGES) {
                        return fetch(angular.extend({}, query, {marker: marker}));
                    }
                    return merged;
                });
            }
            return fetch(params || {});
        }

        /** The `marker` of a `next` URL ("/v1/...?limit=25&marker=42"), or null. */
        function markerOf(next) {
            var match = next && /[?&]marker=([^&#]*)/.exec(next);
            return match ? decodeURIComponent(match[1].replace(/\+/g, ' ')) : null;
        }

        /** A rejected $http response, as something a view can show. */
        function describe(response) {
            var body = response.data;
            var outage = connection.isOutage(response);
            var message;
            if (body && typeof body === 'object' && body.faultstring) {
                message = body.faultstring;
            } else if (outage) {
                message = 'The Radar API is not answering.';
            } else {
                message = 'The Radar API answered ' + response.status + ' ' +
                    (response.statusText || '') + '.';
            }
            return {status: response.status, message: message, outage: outage};
        }
    }
})();
