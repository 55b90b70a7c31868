/** radar.events: what happened, newest first: status changes, new data, alerts, deliveries. */
(function () {
    'use strict';

    angular.module('radar.events', ['ngRoute', 'radar.core']).config(routes);

    routes.$inject = ['$routeProvider'];
    function routes($routeProvider) {
        $routeProvider.when('/events', {
            templateUrl: 'app/events/events.html',
            controller: 'EventsController',
            controllerAs: 'vm',
            reloadOnSearch: false,
            usesWindow: false  // events are a log, not figures of a window
        });
    }
})();
