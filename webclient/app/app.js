/**
 * radar: the dashboard application. Each view is its own module with its own route; this
 * module only ties them together, sends unknown paths to the leaderboard and starts the
 * event stream and the fallback refresh clock.
 */
(function () {
    'use strict';

    angular.module('radar', [
        'ngRoute',
        'radar.core',
        'radar.leaderboard',
        'radar.system',
        'radar.compare',
        'radar.change',
        'radar.status',
        'radar.events',
        'radar.project'
    ])
        .config(routes)
        .run(start);

    routes.$inject = ['$routeProvider'];
    function routes($routeProvider) {
        // Send "/" and unknown paths to the leaderboard, keeping the query (window, project):
        // a string redirectTo would drop it.
        $routeProvider.otherwise({
            redirectTo: function (pathParams, path, search) {
                var query = Object.keys(search).map(function (name) {
                    return encodeURIComponent(name) + '=' + encodeURIComponent(search[name]);
                }).join('&');
                return '/systems' + (query ? '?' + query : '');
            }
        });
    }

    start.$inject = ['refresher', 'live'];
    function start(refresher, live) {
        live.start();
        refresher.start();
    }
})();
