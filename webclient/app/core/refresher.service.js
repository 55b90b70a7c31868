/**
 * refresher: while the event stream is not followed (live.mode is not 'live'), reloads the
 * data on screen every collector poll interval (/v1/status gives `poll_interval`): new data
 * cannot appear faster than the collector stores it, so polling the API more often would only
 * add load. While the stream is live, the stream's events drive the refreshes (live.js).
 *
 * Views register with watch($scope, load); `load` must update the view in place (keep what is
 * shown until the new data arrives) so that a refresh never loses the user's place.
 */
(function () {
    'use strict';

    var DEFAULT_INTERVAL_S = 300;
    var MIN_INTERVAL_S = 5;

    angular.module('radar.core').factory('refresher', refresher);

    refresher.$inject = ['$rootScope', '$timeout', 'radarApi', 'connection', 'live',
        'RECOVERY_PROBE_MS'];
    function refresher($rootScope, $timeout, radarApi, connection, live, RECOVERY_PROBE_MS) {
        var timer = null;
        var probe = null;
        var service = {
            intervalS: null,
            lastRefresh: null,
            nextRefresh: null,  // when the timer fires; null while the stream drives refreshes
            status: null,
            start: start,
            watch: watch
        };
        return service;

        /**
         * Called once when the app boots. The clock runs only while the stream is not live:
         * it starts (reading the poll interval) when live.mode turns to 'polling', and stops
         * when the stream is back.
         */
        function start() {
            service.lastRefresh = new Date();
            $rootScope.$watch(function () {
                return live.mode;
            }, function (mode) {
                if (mode === 'polling') {
                    readInterval().finally(schedule);
                } else {
                    $timeout.cancel(timer);
                    service.nextRefresh = null;
                }
            });
            $rootScope.$on('radar:api-down', scheduleProbe);
        }

        /**
         * While the API is down, ask /v1/status every few seconds: its first answer marks the
         * API up (radarApi tells connection), which refreshes every view.
         */
        function scheduleProbe() {
            $timeout.cancel(probe);
            probe = $timeout(function () {
                radarApi.status().catch(function () {
                    if (connection.down) {
                        scheduleProbe();
                    }
                });
            }, RECOVERY_PROBE_MS);
        }

        function readInterval() {
            return radarApi.status().then(function (status) {
                service.status = status;
                var seconds = Number(status.poll_interval);
                service.intervalS = seconds >= MIN_INTERVAL_S ? seconds : MIN_INTERVAL_S;
            }, function () {
                // Keep the previous interval; the connection banner tells the user.
                service.intervalS = service.intervalS || DEFAULT_INTERVAL_S;
            });
        }

        function schedule() {
            $timeout.cancel(timer);
            timer = $timeout(tick, service.intervalS * 1000);
            service.nextRefresh = new Date(Date.now() + service.intervalS * 1000);
        }

        function tick() {
            if (live.mode === 'live') {
                return;  // the stream drives the refreshes now
            }
            service.lastRefresh = new Date();
            $rootScope.$broadcast('radar:refresh', {reason: 'interval'});
            // The interval is an option of the collector: follow it if it changes.
            readInterval().finally(schedule);
        }

        /** Call load() on every refresh (timer, or API back after an outage) while scope lives. */
        function watch(scope, load) {
            scope.$on('radar:refresh', function () {
                service.lastRefresh = new Date();
                load();
            });
        }
    }
})();
