/** radar.leaderboard: every CI system, its health and its trend, worst problems first. */
(function () {
    'use strict';

    angular.module('radar.leaderboard', ['ngRoute', 'radar.core']).config(routes);

    routes.$inject = ['$routeProvider'];
    function routes($routeProvider) {
        $routeProvider.when('/systems', {
            templateUrl: 'app/leaderboard/leaderboard.html',
            controller: 'LeaderboardController',
            controllerAs: 'vm',
            // Window, sort and filter changes update the list in place instead of rebuilding
            // the page, so focus (in the search box) and scrolling survive.
            reloadOnSearch: false
        });
    }
})();
