/**
 * viewState: the window and project every view shares, kept in the URL query so that any page
 * can be bookmarked or pasted to a colleague and shows the same figures.
 *
 *   ?window=24h|7d|30d            a preset window ending now (7d, the API's default, is implied)
 *   ?since=YYYY-MM-DD&until=...   a custom window (UTC dates; until is exclusive)
 *   ?project=openstack/nova       restrict every figure to one Gerrit project
 *
 * The URL is the only store: views read it through this service, so the back button and a
 * reload always agree with what is on screen.
 */
(function () {
    'use strict';

    var PRESETS = ['24h', '7d', '30d'];
    var DEFAULT_WINDOW = '7d';
    var SHARED_KEYS = ['window', 'since', 'until', 'project'];
    var DATE = /^\d{4}-\d{2}-\d{2}$/;
    var DAY_MS = 24 * 3600 * 1000;

    angular.module('radar.core').factory('viewState', viewState);

    viewState.$inject = ['$location', '$rootScope'];
    function viewState($location, $rootScope) {
        var service = {
            presets: PRESETS,
            current: current,
            apiParams: apiParams,
            trendParams: trendParams,
            key: key,
            setWindow: setWindow,
            setCustom: setCustom,
            setProject: setProject,
            link: link,
            onChange: onChange,
            validCustom: validCustom
        };
        return service;

        /** The shared state as {window, since, until, project, custom}; window is '7d' if unset. */
        function current() {
            var search = $location.search();
            var custom = Boolean(search.since);
            return {
                window: custom ? null : (search.window || DEFAULT_WINDOW),
                since: custom ? search.since : null,
                until: custom ? (search.until || null) : null,
                project: search.project || null,
                custom: custom
            };
        }

        /** Query parameters for the API: window or since/until, and project. */
        function apiParams() {
            var state = current();
            var params = {};
            if (state.custom) {
                params.since = state.since;
                if (state.until) {
                    params.until = state.until;
                }
            } else {
                params.window = state.window;
            }
            if (state.project) {
                params.project = state.project;
            }
            return params;
        }

        /**
         * Parameters for the daily trend lines. A 24-hour window holds a single day, which
         * draws no line, so trends then show the last 7 days; long custom windows go weekly
         * so a chart never has hundreds of points.
         */
        function trendParams() {
            var params = apiParams();
            params.bucket = 'day';
            if (params.window === '24h') {
                params.window = '7d';
            }
            if (params.since && spanDays(params.since, params.until) > 92) {
                params.bucket = 'week';
            }
            return params;
        }

        function spanDays(since, until) {
            var end = until ? Date.parse(until) : Date.now();
            return (end - Date.parse(since)) / DAY_MS;
        }

        /** A string that changes exactly when the shared state does. */
        function key() {
            var search = $location.search();
            return SHARED_KEYS.map(function (name) {
                return search[name] || '';
            }).join('|');
        }

        function setWindow(window) {
            $location.search('since', null).search('until', null)
                .search('window', window === DEFAULT_WINDOW ? null : window);
        }

        function setCustom(since, until) {
            $location.search('window', null).search('since', since).search('until', until || null);
        }

        function setProject(project) {
            $location.search('project', project || null);
        }

        /** Is [since, until) a window the API accepts (dates, since < until, <= 366 days)? */
        function validCustom(since, until) {
            if (!DATE.test(since || '') || (until && !DATE.test(until))) {
                return 'Dates are YYYY-MM-DD.';
            }
            var days = spanDays(since, until);
            if (!(days > 0)) {
                return 'The start must be before the end.';
            }
            if (days > 366) {
                return 'A window is at most 366 days.';
            }
            return null;
        }

        /**
         * An href for an in-app path that keeps the shared state, plus `extra` query values
         * (null values are dropped): link('/systems/7') -> '#/systems/7?window=30d'.
         */
        function link(path, extra) {
            var search = $location.search();
            var parts = [];
            SHARED_KEYS.forEach(function (name) {
                if (search[name]) {
                    parts.push(encode(name, search[name]));
                }
            });
            angular.forEach(extra || {}, function (value, name) {
                if (value !== null && value !== undefined && value !== '') {
                    parts.push(encode(name, value));
                }
            });
            return '#' + path + (parts.length ? '?' + parts.join('&') : '');
        }

        function encode(name, value) {
            return encodeURIComponent(name) + '=' + encodeURIComponent(value)
                .replace(/%2C/gi, ',').replace(/%2F/gi, '/');
        }

        /**
         * Call `reload` when the shared state changes while a view stays on screen (the
         * routes do not reload on query changes, so a view keeps its scroll and its own
         * settings). View-only query changes (sort, search) do not call it.
         */
        function onChange(scope, reload) {
            var last = key();
            var off = $rootScope.$on('$routeUpdate', function () {
                var now = key();
                if (now !== last) {
                    last = now;
                    reload();
                }
            });
            scope.$on('$destroy', off);
        }
    }
})();
