/** radar.status: is the collector keeping up with Gerrit? */
(function () {
    'use strict';

    angular.module('radar.status', ['ngRoute', 'radar.core']).config(routes);

    routes.$inject = ['$routeProvider'];
    function routes($routeProvider) {
        $routeProvider.when('/status', {
            templateUrl: 'app/status/status.html',
            controller: 'StatusController',
            controllerAs: 'vm',
            reloadOnSearch: false,
            usesWindow: false  // the collector's status is not a figure of a window
        });
    }
})();
