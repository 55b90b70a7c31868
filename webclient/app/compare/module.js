/** radar.compare: two to four systems side by side, figure by figure. */
(function () {
    'use strict';

    angular.module('radar.compare', ['ngRoute', 'radar.core']).config(routes);

    routes.$inject = ['$routeProvider'];
    function routes($routeProvider) {
        $routeProvider.when('/compare', {
            templateUrl: 'app/compare/compare.html',
            controller: 'CompareController',
            controllerAs: 'vm',
            reloadOnSearch: false
        });
    }
})();
