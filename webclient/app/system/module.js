/** radar.system: one CI system in depth: why its score is what it is, and what it ran. */
(function () {
    'use strict';

    angular.module('radar.system', ['ngRoute', 'radar.core']).config(routes);

    routes.$inject = ['$routeProvider'];
    function routes($routeProvider) {
        $routeProvider.when('/systems/:id', {
            templateUrl: 'app/system/system.html',
            controller: 'SystemController',
            controllerAs: 'vm',
            reloadOnSearch: false
        });
    }
})();
