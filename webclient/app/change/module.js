/** radar.change: what every CI system said on every patchset of one change. */
(function () {
    'use strict';

    angular.module('radar.change', ['ngRoute', 'radar.core']).config(routes);

    routes.$inject = ['$routeProvider'];
    function routes($routeProvider) {
        var route = {
            templateUrl: 'app/change/change.html',
            controller: 'ChangeController',
            controllerAs: 'vm',
            // Picking a cell only changes ?report=: keep the grid, just open the report.
            reloadOnSearch: false,
            // A change's grid is every report on it, whatever the window or project.
            usesWindow: false
        };
        $routeProvider.when('/changes', route).when('/changes/:number', route);
    }
})();
