/**
 * connection: is the Radar API reachable? radarApi reports every answer here. A request that
 * fails for lack of a server (no answer at all, or 502/503/504 from a proxy or a database
 * outage) marks the API down: the banner appears and the refresher probes the API every few
 * seconds. The first answer after that marks it up again: the banner goes and every view
 * reloads by itself.
 */
(function () {
    'use strict';

    angular.module('radar.core').factory('connection', connection);

    connection.$inject = ['$rootScope'];
    function connection($rootScope) {
        var service = {
            down: false,
            since: null,
            reason: null,
            isOutage: isOutage,
            reportFailure: reportFailure,
            reportSuccess: reportSuccess
        };
        return service;

        /** Is this failed $http response a sign that the API itself is unavailable? */
        function isOutage(response) {
            var status = response && response.status;
            return !(status > 0) || status === 502 || status === 503 || status === 504;
        }

        /** A failed request: an outage marks the API down; any other answer proves it is up. */
        function reportFailure(response) {
            if (!isOutage(response)) {
                reportSuccess();
                return;
            }
            service.reason = response.status > 0
                ? 'the API answered ' + response.status + ' ' + (response.statusText || '')
                : 'no answer from the server';
            if (!service.down) {
                service.down = true;
                service.since = new Date();
                $rootScope.$broadcast('radar:api-down');
            }
        }

        function reportSuccess() {
            if (!service.down) {
                return;
            }
            service.down = false;
            service.since = null;
            service.reason = null;
            // Views missed their refreshes during the outage: bring them up to date now.
            $rootScope.$broadcast('radar:refresh', {reason: 'recovered'});
        }
    }
})();
